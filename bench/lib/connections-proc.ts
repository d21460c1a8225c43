/**
 * A process's memory, CPU and open descriptors from /proc (Linux only), read by
 * PID so the same code samples counterseed (Node) and libtorrent (Python).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcSample {
  /** Wall clock, ms since the epoch (comparable across processes). */
  readonly atMs: number;
  readonly rssKiB: number;
  /** VmHWM: peak resident set since the process started. */
  readonly peakRssKiB: number;
  readonly rssAnonKiB: number;
  /** utime + stime of every thread, in seconds. */
  readonly cpuS: number;
  readonly threads: number;
  readonly fds: number;
}

export class ProcError extends Error {
  override name = 'ProcError';
}

/** Clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every common Linux). */
const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', timeout: 5000 }).trim()) || 100; } catch { return 100; }
})();

export function readProc(pid: number): ProcSample {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'latin1');
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch (e) {
    throw new ProcError(`process ${pid} is gone: ${(e as Error).message}`);
  }
  const kib = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
  // Fields after the ")" that closes comm (which may itself hold spaces): state is field 3, utime 14, stime 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuS = (Number(rest[11]) + Number(rest[12])) / CLK_TCK;
  let fds = -1;
  try { fds = readdirSync(`/proc/${pid}/fd`).length; } catch { /* not ours to read: leave -1 */ }
  return { atMs: Date.now(), rssKiB: kib('VmRSS'), peakRssKiB: kib('VmHWM'), rssAnonKiB: kib('RssAnon'), cpuS, threads: kib('Threads'), fds };
}
