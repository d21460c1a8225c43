/**
 * The validation runs real BitTorrent clients, so it must run inside a network namespace
 * that has only `lo` with the RFC 2544 addresses scripts/netns-run.sh adds (198.18.0.0/15,
 * benchmarking range: they exist nowhere else). Nothing can leave such a namespace.
 */
import { readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { VALIDATION_ADDRESSES } from './plan.ts';

/** Interface names of the current network namespace (/proc/net is per namespace; /sys/class/net is not). */
export function namespaceInterfaces(): string[] {
  return readFileSync('/proc/net/dev', 'latin1').split('\n').slice(2)
    .map((l) => l.split(':')[0]?.trim() ?? '').filter((n) => n.length > 0);
}

/** Why this process is not isolated, or null when it is. */
export function isolationProblem(): string | null {
  const foreign = namespaceInterfaces().filter((n) => n !== 'lo');
  if (foreign.length > 0) return `interfaces other than lo are present: ${foreign.join(', ')}`;
  const lo = networkInterfaces()['lo'] ?? [];
  for (const ip of Object.values(VALIDATION_ADDRESSES)) {
    if (!lo.some((a) => a.address === ip)) return `${ip} is not assigned to lo`;
  }
  return null;
}
