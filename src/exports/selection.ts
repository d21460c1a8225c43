import type { CheckpointBody } from '../evidence/checkpoint.ts';
import type { EvidenceLogTable, LogFilter, LogLink } from '../store/sqlite/evidence-log.ts';
import { selectByKey, selectionKey, type CompletenessProof } from './completeness.ts';
import { ExportError } from './errors.ts';

/** Records re-derived (texts held) at a time while narrowing a selection. */
const DERIVE_CHUNK = 2000;

/**
 * The records an export holds, as links (seq, row, hash), up to the checkpoint `cp`:
 * - by one IP or one decoy: from the signed key index, with a completeness proof (completeness.ts);
 * - by IP and decoy together: the IP's records from the key index (a row edited or deleted since is
 *   still found, and refused when derived), narrowed to the decoy by their re-derived records;
 *   inclusion proofs only;
 * - by time only: through the tables' time columns; inclusion proofs only.
 */
export function selectRecords(table: EvidenceLogTable, cp: CheckpointBody, f: LogFilter, asked: string, max: number): { links: LogLink[]; completeness?: CompletenessProof } {
  const key = selectionKey(f);
  if (key !== undefined) {
    const { links, proof } = selectByKey(table, cp, key, f, max);
    return { links, completeness: proof };
  }
  let picked: LogLink[];
  if (f.ip !== undefined && f.decoyId !== undefined && !(f.kinds && f.kinds.length > 0)) {
    const window = { ...(f.from !== undefined ? { from: f.from } : {}), ...(f.to !== undefined ? { to: f.to } : {}) };
    const { links: ofIp } = selectByKey(table, cp, selectionKey({ ip: f.ip })!, window, Number.MAX_SAFE_INTEGER);
    picked = [];
    for (let i = 0; i < ofIp.length; i += DERIVE_CHUNK) {
      const chunk = ofIp.slice(i, i + DERIVE_CHUNK);
      table.derive(chunk).forEach((r, j) => {
        const field = table.keyFields(r.kind).decoyField;
        if (field !== undefined && (JSON.parse(r.text) as { obs: Record<string, unknown> }).obs[field] === f.decoyId) picked.push(chunk[j]!);
      });
    }
  } else {
    picked = table.selectLinks(f, max + 1).filter((l) => l.seq < cp.tree_size);
  }
  if (picked.length === 0) throw new ExportError(`no records match ${asked}`);
  if (picked.length > max) throw new ExportError(`more than ${max} records match; narrow the selection with --from/--to`);
  return { links: picked };
}
