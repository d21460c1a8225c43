import { loadavg } from 'node:os';

/** The load averages (1, 5, 15 min), printed beside every figure: the machine is shared. */
export const load = (): string => `load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;

/** This process's CPU time (user + system) since `from`, in seconds. */
export const cpu = (from: NodeJS.CpuUsage): string => {
  const u = process.cpuUsage(from);
  return `${((u.user + u.system) / 1e6).toFixed(1)} s`;
};
