import { withContext } from '../../app/context.ts';
import { readRetireList, retireDecoys } from '../../app/decoy-retire.ts';
import type { Command } from '../command.ts';

export const decoysRetire: Command = {
  name: 'decoys retire',
  data: 'existing',
  summary: 'Stop serving decoys: by ID, INFOHASH or exact NAME, or a --list FILE of them; all or nothing, recorded with time and reason; a running seed stops at its next decoy sync (--campaign-tick)',
  positionals: 'ID|INFOHASH|NAME...',
  options: {
    list: { type: 'string', arg: 'FILE', doc: 'One ID, INFOHASH or NAME per line (# comments and blank lines skipped)' },
    reason: { type: 'string', arg: 'TEXT', doc: 'Why, recorded with each retirement (default: "retired by hand")' },
  },
  async run(args, io) {
    const refs = [...args.positionals, ...(typeof args.options.list === 'string' ? readRetireList(args.options.list) : [])];
    const reason = typeof args.options.reason === 'string' ? args.options.reason : undefined;
    // A live command: retiring changes what the node serves (a lab directory is refused, exit 77).
    const r = await withContext(io.settings, io.err, (ctx) => retireDecoys(ctx, { refs, ...(reason !== undefined ? { reason } : {}) }));
    for (const d of r.retired) io.out(`retired ${String(d.id).padStart(6)}  ${d.infoHash}  ${d.name}`);
    for (const d of r.alreadyRetired) io.out(`already ${String(d.id).padStart(6)}  ${d.infoHash}  ${d.name}`);
    io.out(`${r.retired.length} decoys retired${r.alreadyRetired.length ? `, ${r.alreadyRetired.length} were retired already` : ''}`);
  },
};
