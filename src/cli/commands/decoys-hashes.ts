import { withContext } from '../../app/context.ts';
import { writeHashList } from '../../app/decoy-hashes.ts';
import { requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { progressBar } from './campaign-progress.ts';
import { purposeLines } from '../records-output.ts';

export const decoysHashes: Command = {
  name: 'decoys hashes',
  data: 'existing',
  summary: 'Write every decoy\'s content MD5, SHA-1, SHA-256, size and name as CSV (FILE) and Project VIC VICS JSON (FILE minus .csv plus .vics.json)',
  options: { out: { type: 'string', arg: 'FILE', doc: 'CSV output file; the VICS JSON goes beside it' } },
  async run(args, io) {
    const out = requireString(args, 'out', 'decoys hashes');
    const bar = progressBar('hashing decoys');
    // A lab directory's hash list is made (for trying the command) but says it is lab data.
    const { r, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, r: await writeHashList(ctx, { out, signal: io.signal, onProgress: (d, t) => bar.update(d, t) }) }), 'read');
    for (const l of purposeLines(purpose)) io.out(`${l}: these are lab decoys; never add this list to a real hash set`);
    io.out(`hashed ${r.decoys} decoys (${r.distinctContents} distinct contents): ${r.csv}, ${r.vics}`);
  },
};
