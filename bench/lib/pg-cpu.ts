import { readFileSync } from 'node:fs';

/**
 * CPU time of a PostgreSQL backend (the server runs on this machine: /proc/PID/stat, fields utime and
 * stime in 1/100 s) beside this process's, for benches on the PostgreSQL store: at load 15-25 on 2
 * cores wall time is mostly waiting for a core, so each figure carries both CPU times.
 */
const TICK = 100; // USER_HZ
export const backendCpu = (pid: number): number => { const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' '); return (Number(f[11]) + Number(f[12])) / TICK; };
export const ownCpu = (): number => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };

export interface Measured<T> { readonly r: T; readonly wall: number; readonly cpu: number; readonly pgCpu: number }

/** Wall s, this process's CPU s, the backend's CPU s of `fn`. */
export async function measure<T>(pid: number, fn: () => T | Promise<T>): Promise<Measured<T>> {
  const w0 = performance.now(); const c0 = ownCpu(); const p0 = backendCpu(pid);
  const r = await fn();
  return { r, wall: (performance.now() - w0) / 1000, cpu: ownCpu() - c0, pgCpu: backendCpu(pid) - p0 };
}

/** The synchronous form, for code that must not yield between the readings. */
export function measureSync<T>(pid: number | undefined, fn: () => T): Measured<T> {
  const w0 = performance.now(); const c0 = ownCpu(); const p0 = pid === undefined ? 0 : backendCpu(pid);
  const r = fn();
  return { r, wall: (performance.now() - w0) / 1000, cpu: ownCpu() - c0, pgCpu: pid === undefined ? 0 : backendCpu(pid) - p0 };
}

export const fig = (m: { wall: number; cpu: number; pgCpu: number }): string => `${m.wall.toFixed(1)} s wall, CPU ${m.cpu.toFixed(1)} s node + ${m.pgCpu.toFixed(1)} s PostgreSQL`;
