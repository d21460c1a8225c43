/**
 * Child processes for the benchmark: started with pipes, output kept in a
 * bounded tail, every wait bounded, stopped by PID (SIGTERM, then SIGKILL
 * after a grace period), never by name.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/** Enough output to diagnose a failure; bounded for long runs. */
const TAIL_CHARS = 64 * 1024;
/** Lines longer than this are cut: no child can make us buffer without limit. */
const MAX_LINE_CHARS = 1024 * 1024;

export class ChildError extends Error {
  override name = 'ChildError';
}

export interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export class Child {
  readonly pid: number;
  readonly exited: Promise<Exit>;
  readonly #proc: ChildProcess;
  readonly #label: string;
  #stderr = '';
  #partial = '';
  #lines: string[] = [];
  #waiters: (() => void)[] = [];
  #exit: Exit | null = null;

  constructor(label: string, command: string, args: readonly string[], opts: { cwd?: string } = {}) {
    this.#label = label;
    this.#proc = spawn(command, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    this.#proc.on('error', (e) => { this.#stderr = tail(`${this.#stderr}\nspawn error: ${e.message}`); });
    if (this.#proc.pid === undefined) throw new ChildError(`${label}: could not start ${command}`);
    this.pid = this.#proc.pid;
    this.#proc.stdout?.setEncoding('utf8').on('data', (s: string) => this.#onStdout(s));
    this.#proc.stderr?.setEncoding('utf8').on('data', (s: string) => { this.#stderr = tail(this.#stderr + s); });
    this.exited = new Promise((resolve) => {
      this.#proc.on('close', (code, signal) => {
        this.#exit = { code, signal };
        this.#wake();
        resolve(this.#exit);
      });
    });
  }

  get stderr(): string { return this.#stderr; }

  /** Resolves with the first stdout line matching `re`; rejects on exit, timeout or abort. */
  async waitForLine(re: RegExp, timeoutMs: number, opts: { signal?: AbortSignal } = {}): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const line of this.#lines) {
        const m = re.exec(line);
        if (m) return m;
      }
      if (this.#exit) throw new ChildError(`${this.#label} exited (${this.#exit.code ?? this.#exit.signal}) before printing ${re}: ${this.#stderr.slice(-2000)}`);
      opts.signal?.throwIfAborted();
      const left = deadline - Date.now();
      if (left <= 0) throw new ChildError(`${this.#label}: no line matching ${re} within ${timeoutMs} ms: ${this.#stderr.slice(-2000)}`);
      await this.#nextEvent(left, opts.signal);
    }
  }

  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves with how it ended. */
  async stop(graceMs = 10_000): Promise<Exit & { killed: boolean }> {
    if (this.#exit) return { ...this.#exit, killed: false };
    this.#proc.kill('SIGTERM');
    const timer = new Promise<null>((r) => { const t = setTimeout(() => r(null), graceMs); t.unref(); });
    const ended = await Promise.race([this.exited, timer]);
    if (ended) return { ...ended, killed: false };
    this.#proc.kill('SIGKILL');
    return { ...(await this.exited), killed: true };
  }

  #onStdout(s: string): void {
    const parts = (this.#partial + s).split('\n');
    this.#partial = (parts.pop() ?? '').slice(0, MAX_LINE_CHARS);
    // Keep only recent lines: callers wait for one marker line at a time.
    this.#lines = [...this.#lines, ...parts].slice(-1000);
    this.#wake();
  }

  #wake(): void {
    const ws = this.#waiters;
    this.#waiters = [];
    for (const w of ws) w();
  }

  #nextEvent(timeoutMs: number, signal: AbortSignal | undefined): Promise<void> {
    return new Promise((resolve) => {
      const done = () => { clearTimeout(t); signal?.removeEventListener('abort', done); resolve(); };
      const t = setTimeout(done, timeoutMs);
      signal?.addEventListener('abort', done, { once: true });
      this.#waiters.push(done);
    });
  }
}

function tail(s: string): string {
  return s.length > TAIL_CHARS ? s.slice(-TAIL_CHARS) : s;
}
