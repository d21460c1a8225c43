/**
 * Child processes for interop tests: each in its own process group so that
 * stopping it by PID also stops whatever it spawned; output kept in a bounded
 * tail for failure messages; every wait bounded.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, watch, existsSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';

/** Keep at most this much output per stream: enough to diagnose, bounded for long runs. */
const TAIL_LIMIT = 256 * 1024;

export class MissingBinaryError extends Error {
  override name = 'MissingBinaryError';
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/** Throws a MissingBinaryError naming the Debian package when `path` is not executable. */
export function requireBinary(path: string, aptPackage: string): void {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new MissingBinaryError(`${path} is missing: install it with \`apt-get install ${aptPackage}\``);
  }
}

export type Stream = 'stdout' | 'stderr';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class ManagedProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly exited: Promise<ExitInfo>;
  /** Resolves once stdout and stderr are closed too (after exit, unless a grandchild holds them). */
  readonly closed: Promise<void>;
  #stdout = '';
  #stderr = '';
  #exit: ExitInfo | null = null;
  #lineListeners: ((line: string, stream: Stream) => void)[] = [];
  #partial: Record<Stream, string> = { stdout: '', stderr: '' };

  constructor(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
    // detached: a new process group, so stop() can signal -pid and reach children.
    this.child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Without a listener a failed spawn (ENOENT) would crash the test process.
    this.child.on('error', (e) => { this.#stderr = tail(`${this.#stderr}\nspawn error: ${e.message}`); });
    const pid = this.child.pid;
    if (pid === undefined) throw new Error(`could not start ${command}`);
    this.pid = pid;
    this.child.stdout?.setEncoding('utf8').on('data', (s: string) => this.#onData('stdout', s));
    this.child.stderr?.setEncoding('utf8').on('data', (s: string) => this.#onData('stderr', s));
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.#exit = { code, signal };
        resolve(this.#exit);
      });
    });
    this.closed = new Promise((resolve) => this.child.on('close', () => {
      // A last line without its newline is still a line.
      for (const stream of ['stdout', 'stderr'] as const) {
        const rest = this.#partial[stream];
        this.#partial[stream] = '';
        if (rest !== '') for (const fn of [...this.#lineListeners]) fn(rest, stream);
      }
      resolve();
    }));
  }

  get stdout(): string { return this.#stdout; }
  get stderr(): string { return this.#stderr; }
  get exitInfo(): ExitInfo | null { return this.#exit; }

  /** Calls `fn` for every complete output line from now on. */
  onLine(fn: (line: string, stream: Stream) => void): () => void {
    this.#lineListeners.push(fn);
    return () => { this.#lineListeners = this.#lineListeners.filter((f) => f !== fn); };
  }

  /** Resolves with the first line on `stream` (default stdout) matching `re`; rejects on exit, timeout or abort. */
  waitForLine(re: RegExp, opts: { timeoutMs: number; signal?: AbortSignal; stream?: Stream }): Promise<RegExpMatchArray> {
    const want = opts.stream ?? 'stdout';
    return new Promise((resolve, reject) => {
      const done = (err: Error | null, m?: RegExpMatchArray): void => {
        off();
        clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err); else resolve(m!);
      };
      const off = this.onLine((line, stream) => {
        if (stream !== want) return;
        const m = line.match(re);
        if (m) done(null, m);
      });
      const timer = setTimeout(() => done(new WaitTimeoutError(`no line matching ${re} within ${opts.timeoutMs} ms\n${this.describe()}`)), opts.timeoutMs);
      const onAbort = (): void => done(new Error('aborted'));
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      void this.exited.then((e) => done(new Error(`process exited (${e.code ?? e.signal}) before a line matching ${re}\n${this.describe()}`)));
    });
  }

  /** Signals the process group and waits (bounded) for exit; escalates to SIGKILL. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<ExitInfo> {
    if (this.#exit) return this.#exit;
    this.#signalGroup(signal);
    const first = await raceTimeout(this.exited, graceMs);
    if (first) return first;
    this.#signalGroup('SIGKILL');
    const second = await raceTimeout(this.exited, 5_000);
    if (second) return second;
    throw new WaitTimeoutError(`pid ${this.pid} survived SIGKILL`);
  }

  /** A short description for assertion messages: exit status and output tails. */
  describe(maxChars = 4000): string {
    const cut = (s: string): string => (s.length > maxChars ? '...' + s.slice(-maxChars) : s);
    return `[pid ${this.pid} exit=${JSON.stringify(this.#exit)}]\n--- stdout ---\n${cut(this.#stdout)}\n--- stderr ---\n${cut(this.#stderr)}`;
  }

  #signalGroup(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  #onData(stream: Stream, s: string): void {
    if (stream === 'stdout') this.#stdout = tail(this.#stdout + s);
    else this.#stderr = tail(this.#stderr + s);
    const lines = (this.#partial[stream] + s).split('\n');
    let rest = lines.pop() ?? '';
    if (rest.length > TAIL_LIMIT) rest = '';
    this.#partial[stream] = rest;
    for (const line of lines) for (const fn of [...this.#lineListeners]) fn(line, stream);
  }
}

/**
 * `p`, or null after `ms`. The timer is cleared as soon as `p` settles: a pending timer would
 * keep a CLI process (counterseed validate) alive for the whole timeout after its work is done.
 */
async function raceTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  const ac = new AbortController();
  try {
    return await Promise.race([p, delay(ms, null, { signal: ac.signal })]);
  } finally { ac.abort(); }
}

function tail(s: string): string {
  return s.length > TAIL_LIMIT ? s.slice(-TAIL_LIMIT) : s;
}

/**
 * Waits until `path` exists: fs.watch on its directory for the event, plus a
 * slow existence check in case an event is missed. Bounded by timeoutMs.
 */
export async function waitForFile(path: string, dir: string, opts: { timeoutMs: number; signal?: AbortSignal; failIf?: () => string | null }): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  const ac = new AbortController();
  const onAbort = (): void => ac.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const watcher = watch(dir, { signal: ac.signal });
  watcher.on('error', () => {});
  let wake: (() => void) | null = null;
  watcher.on('change', () => wake?.());
  try {
    while (!existsSync(path)) {
      if (opts.signal?.aborted) throw new Error('aborted');
      const failure = opts.failIf?.() ?? null;
      if (failure !== null) throw new Error(failure);
      const left = deadline - Date.now();
      if (left <= 0) throw new WaitTimeoutError(`${path} did not appear within ${opts.timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 1_000));
        wake = () => { clearTimeout(t); resolve(); };
      });
      wake = null;
    }
  } finally {
    ac.abort();
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs a command to completion (bounded) and returns its output. */
export async function run(
  command: string, args: readonly string[],
  opts: { timeoutMs: number; cwd?: string; signal?: AbortSignal; onStdoutLine?: (line: string) => void },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = new ManagedProcess(command, args, opts.cwd === undefined ? {} : { cwd: opts.cwd });
  // `stdout` below is only the last TAIL_LIMIT characters: a caller that needs all of it reads it line by line.
  const each = opts.onStdoutLine;
  if (each) p.onLine((line, stream) => { if (stream === 'stdout') each(line); });
  const onAbort = (): void => { void p.stop('SIGKILL', 1_000); };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const e = await raceTimeout(p.exited, opts.timeoutMs);
    if (!e) {
      await p.stop('SIGKILL', 1_000);
      throw new WaitTimeoutError(`${command} ${args.join(' ')} did not finish within ${opts.timeoutMs} ms\n${p.describe()}`);
    }
    // Let the pipes drain after exit (bounded: a grandchild may hold them open).
    await raceTimeout(p.closed, 2_000);
    return { code: e.code, stdout: p.stdout, stderr: p.stderr };
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
  }
}
