import { renameSync, writeFileSync } from 'node:fs';
import { hashDecoys, hashesCsv, hashesVics } from '../../exports/decoy-hashes.ts';
import { toolInfo } from '../../exports/tool-info.ts';
import { openContext } from '../../node/context.ts';
import { requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from './campaign-progress.ts';

function writeAtomically(path: string, text: string): void {
  writeFileSync(`${path}.part`, text);
  renameSync(`${path}.part`, path);
}

/** FILE.csv -> FILE.vics.json; anything else gets .vics.json appended. */
export const vicsPath = (csv: string) => csv.replace(/\.csv$/i, '') + '.vics.json';

export const decoysHashes: Command = {
  name: 'decoys hashes',
  summary: 'Write every decoy\'s content MD5, SHA-1, SHA-256, size and name as CSV (FILE) and Project VIC VICS JSON (FILE minus .csv plus .vics.json)',
  options: { out: { type: 'string', arg: 'FILE', doc: 'CSV output file; the VICS JSON goes beside it' } },
  async run(args, io) {
    const out = requireString(args, 'out', 'decoys hashes');
    const ctx = openContext(io.settings, io.err);
    try {
      const decoys = await ctx.store.listDecoys();
      const bar = progressBar('hashing decoys');
      const rows = await hashDecoys(decoys, (d) => ctx.sourceFor(d), { signal: io.signal, onProgress: (d, t) => bar.update(d, t) });
      const mediaType = new Map(decoys.map((d) => [d.id, ctx.payloads.get(d.payloadId).mediaType]));
      // Written beside and renamed into place: an interrupted or failed run leaves no half-written list.
      writeAtomically(out, hashesCsv(rows));
      writeAtomically(vicsPath(out), `${JSON.stringify(hashesVics(rows, { version: toolInfo({}).version, mimeType: (r) => mediaType.get(r.id) ?? 'application/octet-stream' }), null, 2)}\n`);
      io.out(`hashed ${rows.length} decoys (${new Set(rows.map((r) => r.sha256)).size} distinct contents): ${out}, ${vicsPath(out)}`);
    } finally { await ctx.close(); }
  },
};
