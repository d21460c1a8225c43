import type { CheckpointBody } from '../evidence/checkpoint.ts';
import { networkKeyOf } from '../evidence/key-index.ts';
import { sourcePrefix } from '../observation/source-prefix.ts';
import type { EvidenceLogTables, LogFilter, LogLink } from '../store/evidence-log.ts';
import { ipKeyOf, selectByIp, selectByIpAndDecoy, selectByIps, selectByKey, selectByTime, selectionKey, type CompletenessProof } from './completeness.ts';
import { ExportError } from './errors.ts';

/** Records of this kind are shown in every export whose time span holds them: they say what the node lost (docs/crash-recovery.md). */
const LOSS_KINDS = ['unclean-shutdown'];

/**
 * The records an export holds, as links (seq, row, hash), up to the checkpoint `cp`, each selection
 * with its completeness proof (completeness.ts) against the signed key index, which finds the
 * records, never the rows' filter columns:
 * - by several IPs: each as by one IP, proved in one pass (a referral's addresses);
 * - by one IP: the IP's records, and the records filed under its /24 or /48 network (the aggregate
 *   records of floods from it, issue 17 item 4), each key with its proof;
 * - by one decoy: the decoy's records;
 * - by IP and decoy: the IP's records narrowed to the decoy;
 * - by time only: the records of every minute key of the window.
 * Every export also holds the unclean-shutdown records within its time span (the window, or the
 * times of its records where the window is open), found through the chain's runs: a defence expert
 * sees that the node lost records there. Selections by record kind (no CLI asks for one) have inclusion proofs only.
 */
export function selectRecords(table: EvidenceLogTables, cp: CheckpointBody, f: LogFilter, asked: string, max: number): { links: LogLink[]; completeness?: CompletenessProof } {
  let sel: { links: LogLink[]; ats: number[]; proof?: CompletenessProof };
  const key = selectionKey(f);
  if (f.ips !== undefined) {
    if (f.ip !== undefined || f.decoyId !== undefined || (f.kinds && f.kinds.length > 0)) throw new ExportError('a selection of several addresses takes only a time window');
    if (f.ips.length === 0 || new Set(f.ips).size !== f.ips.length) throw new ExportError('a selection of several addresses needs at least one, each once');
    sel = selectByIps(table, cp, f.ips, networkKey, f, max);
  } else if (f.kinds && f.kinds.length > 0) {
    sel = { links: table.selectLinks(f, max + 1).filter((l) => l.seq < cp.tree_size), ats: [] };
  } else if (key !== undefined && f.ip !== undefined) {
    sel = selectByIp(table, cp, key, networkKey(f.ip), f, max);
  } else if (key !== undefined) {
    sel = selectByKey(table, cp, key, f, max);
  } else if (f.ip !== undefined && f.decoyId !== undefined) {
    sel = selectByIpAndDecoy(table, cp, { ...f, ip: f.ip, decoyId: f.decoyId }, max);
  } else {
    sel = selectByTime(table, cp, f, max);
  }
  let links = sel.links;
  // A proved selection with no records is a package too: its proof shows that there are none.
  if (links.length === 0 && !sel.proof) throw new ExportError(`no records match ${asked}`);
  if (links.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  if (!(f.kinds && f.kinds.length > 0)) links = mergeLinks(links, lossRecords(table, cp, f, sel.ats));
  return { links, ...(sel.proof ? { completeness: sel.proof } : {}) };
}

/** The key of the /24 (IPv4) or /48 (IPv6) network of an address: where its aggregate records are filed. */
export function networkKey(ip: string): string | undefined {
  const p = sourcePrefix(ipKeyOf(ip).slice('ip:'.length)); // of the address as its key spells it, as the verifier computes it
  return p.length === 0 ? undefined : networkKeyOf(p.network);
}

/** The loss records (LOSS_KINDS) up to the checkpoint whose time is within [from, to), or within the selected records' times where open. */
function lossRecords(table: EvidenceLogTables, cp: CheckpointBody, f: LogFilter, ats: readonly number[]): LogLink[] {
  let lo = f.from;
  let hi = f.to;
  if ((lo === undefined || hi === undefined) && ats.length > 0) {
    let min = Infinity;
    let max = -Infinity;
    for (const at of ats) { if (at < min) min = at; if (at > max) max = at; }
    lo ??= min;
    hi ??= max + 1;
  }
  if (lo === undefined || hi === undefined) return [];
  const links = LOSS_KINDS.flatMap((k) => table.kindLinks(k, cp.tree_size));
  if (links.length === 0) return [];
  const out: LogLink[] = [];
  table.derive(links).forEach((r, i) => { if (r.at >= lo && r.at < hi) out.push(links[i]!); });
  return out;
}

function mergeLinks(a: readonly LogLink[], b: readonly LogLink[]): LogLink[] {
  const m = new Map<number, LogLink>();
  for (const l of [...a, ...b]) m.set(l.seq, l);
  return [...m.values()].sort((x, y) => x.seq - y.seq);
}
