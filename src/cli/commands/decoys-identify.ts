import { withContext } from '../../app/context.ts';
import { identifyDecoyFile } from '../../app/identify.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';
import { purposeLines } from '../records-output.ts';

export const decoysIdentify: Command = {
  name: 'decoys identify',
  data: 'existing',
  summary: 'Tell whether FILE (say, found on a seized device) is one of our decoys, or one file of a folder decoy, and which: by size, content SHA-256 and piece SHA-1s; no hash list needed',
  positionals: 'FILE',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file || args.positionals.length > 1) throw new InputError('expected exactly one FILE');
    const { r, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, r: await identifyDecoyFile(ctx, { file, signal: io.signal }) }), 'read');
    if (args.options.json) {
      io.out(JSON.stringify({
        purpose, file, size: r.size, sha256: r.sha256, exact: r.exact.map((d) => d.id),
        candidates: r.bySize.map((m) => ({ decoyId: m.decoy.id, name: m.decoy.name, infoHash: m.decoy.infoHash, status: m.decoy.status, payloadId: m.decoy.payloadId, pieces: m.pieceCount, piecesMatching: m.piecesMatching })),
        folderFiles: r.inFolder.map((f) => ({
          decoyId: f.decoy.id, name: f.decoy.name, path: f.path, infoHash: f.decoy.infoHash, status: f.decoy.status,
          payloadId: f.decoy.payloadId, payloadLabel: r.payloadLabels.get(f.decoy.payloadId), variantId: f.variantId, format: f.format,
        })),
      }, null, 2));
    } else {
      for (const l of purposeLines(purpose)) io.out(l);
      io.out(`${file}: ${r.size} bytes, SHA-256 ${r.sha256}`);
      const payload = (id: string) => `payload "${r.payloadLabels.get(id) ?? '?'}" (${id})`;
      for (const d of r.exact) io.out(`IS decoy ${d.id} "${d.name}" (infohash ${d.infoHash}, ${d.status}, created ${new Date(d.createdAt).toISOString()}): its content exactly; ${payload(d.payloadId)}`);
      for (const f of r.inFolder) {
        const d = f.decoy;
        io.out(`IS the file "${f.path.join('/')}" of folder decoy ${d.id} "${d.name}" (infohash ${d.infoHash}, ${d.status}, created ${new Date(d.createdAt).toISOString()}): that file's content exactly; ${payload(d.payloadId)} as ${f.format} (variant ${f.variantId})`);
      }
      for (const m of r.bySize) {
        if (r.exact.includes(m.decoy)) continue;
        io.out(`same size as decoy ${m.decoy.id} "${m.decoy.name}" (infohash ${m.decoy.infoHash}): ${m.piecesMatching} of ${m.pieceCount} pieces match${m.piecesMatching > 0 ? ' (an incomplete or damaged copy of it)' : ' (no piece: not its content)'}`);
      }
    }
    if (r.exact.length > 0 || r.inFolder.length > 0) return 0;
    if (r.bySize.some((m) => m.piecesMatching > 0)) return 1;
    const why = r.bySize.length === 0 && r.folderFilesOfSize === 0 ? `no decoy has ${r.size} bytes, nor any file of a folder decoy`
      : [r.bySize.length > 0 ? 'no piece matches a decoy of its size' : '', r.folderFilesOfSize > 0 ? `its content differs from the ${r.folderFilesOfSize} folder decoy file(s) of its size` : ''].filter(Boolean).join('; ');
    if (!args.options.json) throw new NotFoundError(`${file} is not a decoy of this data directory (${why})`);
    return 3;
  },
};
