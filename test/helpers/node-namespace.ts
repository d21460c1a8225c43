/**
 * A network namespace of its own for one seeder node (issue 12 testbed), made inside the namespace
 * of scripts/netns-run.sh: nothing here reaches any other network.
 *
 *   test namespace (netns-run)                      node namespace i
 *   lo: 198.18.0.1..40 (centre, clients)            lo
 *   cs-n<i>p 198.18.1<i>.1/24  <--- veth pair --->  cs-n<i>n 198.18.1<i>.2/24, default via 198.18.1<i>.1
 *
 * The node namespace is held by a `sleep` process (unshare --net), so a node killed with -9 can be
 * started again in the same namespace, at the same address; processes enter it with nsenter. The
 * centre's PostgreSQL is reached by its unix socket, a file path, from any network namespace.
 * Cutting the link sets the test side of the veth down: the node keeps its address and routes
 * (carrier lost), and traffic in flight waits or times out as on a real cut cable.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { ManagedProcess } from './clients/proc.ts';

/** The namespace's holder lives at most this long (a test that dies leaves nothing for longer). */
const HOLDER_SECONDS = 900;

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });

export class NodeNamespace {
  readonly index: number;
  readonly address: string;
  readonly gateway: string;
  readonly #outer: string;
  readonly #inner: string;
  readonly #holder: ChildProcess;

  private constructor(index: number, holder: ChildProcess) {
    this.index = index;
    this.address = `198.18.${10 + index}.2`;
    this.gateway = `198.18.${10 + index}.1`;
    this.#outer = `cs-n${index}p`;
    this.#inner = `cs-n${index}n`;
    this.#holder = holder;
  }

  /** Makes namespace `index` (1..9) with its veth pair and addresses. */
  static async create(index: number): Promise<NodeNamespace> {
    if (!Number.isInteger(index) || index < 1 || index > 9) throw new RangeError(`node namespace index must be 1..9, got ${index}`);
    const holder = spawn('unshare', ['--net', 'sleep', String(HOLDER_SECONDS)], { stdio: 'ignore' });
    const ns = new NodeNamespace(index, holder);
    try {
      await ns.#waitForOwnNamespace();
      ip('link', 'add', ns.#outer, 'type', 'veth', 'peer', 'name', ns.#inner);
      ip('link', 'set', ns.#inner, 'netns', String(holder.pid));
      ip('addr', 'add', `${ns.gateway}/24`, 'dev', ns.#outer);
      ip('link', 'set', ns.#outer, 'up');
      ns.#inside('ip', 'link', 'set', 'lo', 'up');
      ns.#inside('ip', 'addr', 'add', `${ns.address}/24`, 'dev', ns.#inner);
      ns.#inside('ip', 'link', 'set', ns.#inner, 'up');
      ns.#inside('ip', 'route', 'add', 'default', 'via', ns.gateway);
    } catch (e) { await ns.dispose(); throw e; }
    return ns;
  }

  /** The command line that runs `argv` inside this namespace (nsenter execs it: the pid is the program's). */
  command(argv: readonly string[]): [string, string[]] {
    return ['nsenter', [`--net=/proc/${this.#holder.pid}/ns/net`, '--', ...argv]];
  }

  /** Starts a long-running program inside the namespace. */
  spawn(argv: readonly string[], options: { cwd?: string } = {}): ManagedProcess {
    const [cmd, args] = this.command(argv);
    return new ManagedProcess(cmd, args, options);
  }

  /** Cuts the node's link (the test side of its veth goes down). */
  cut(): void { ip('link', 'set', this.#outer, 'down'); }
  /** Restores it. */
  restore(): void { ip('link', 'set', this.#outer, 'up'); }

  /** Kills the holder by PID: the namespace goes, and with it both ends of the veth. */
  async dispose(): Promise<void> {
    if (this.#holder.exitCode === null && this.#holder.signalCode === null) {
      this.#holder.kill('SIGKILL');
      await new Promise((r) => this.#holder.once('exit', r));
    }
    for (let i = 0; i < 50; i++) {
      try { ip('link', 'show', this.#outer); } catch { return; }
      await sleep(20);
    }
    try { ip('link', 'del', this.#outer); } catch { /* gone meanwhile */ }
  }

  #inside(...argv: string[]): void {
    const [cmd, args] = this.command(argv);
    execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** unshare has made the holder's namespace once its /proc/PID/ns/net differs from ours (bounded wait). */
  async #waitForOwnNamespace(): Promise<void> {
    const { readlinkSync } = await import('node:fs');
    const ours = readlinkSync('/proc/self/ns/net');
    for (let i = 0; i < 200; i++) {
      if (this.#holder.exitCode !== null) throw new Error('unshare --net exited at once (no permission to make a network namespace?)');
      try { if (readlinkSync(`/proc/${this.#holder.pid}/ns/net`) !== ours) return; } catch { /* not yet */ }
      await sleep(10);
    }
    throw new Error('unshare --net did not make a namespace within 2 s');
  }
}
