import { withContext } from '../../app/context.ts';
import { payloadEntries, registerPayload } from '../../app/payloads.ts';
import type { Command } from '../command.ts';
import { InputError } from '../../domain/errors.ts';

export const payloadAdd: Command = {
  name: 'payload add',
  data: 'create',
  summary: 'Register a warning video (stored once under its SHA-256, never changed; re-adding with --label renames it)',
  positionals: 'FILE',
  options: { label: { type: 'string', arg: 'TEXT', doc: 'Operator label (default: the file name)' } },
  async run(args, io) {
    const file = args.positionals[0];
    if (!file || args.positionals.length > 1) throw new InputError('expected exactly one FILE');
    const label = typeof args.options.label === 'string' ? args.options.label : undefined;
    const { payload, notice } = await withContext(io.settings, io.err, (ctx) => registerPayload(ctx, { file, ...(label === undefined ? {} : { label }) }));
    if (notice) io.err(`payload ${payload.id.slice(0, 12)}…: ${notice}`);
    io.out(payload.id);
  },
};

export const payloadList: Command = {
  name: 'payload list',
  data: 'existing',
  summary: 'List the warning videos registered with payload add; with --variants also the container variants decoy builds derived from them',
  options: {
    json: { type: 'boolean', doc: 'JSON output (each payload with its kind: registered, or variant with its sourceId and format)' },
    variants: { type: 'boolean', doc: 'Also list the derived variants, each under the payload it was made from' },
  },
  async run(args, io) {
    const list = await withContext(io.settings, io.err, (ctx) => payloadEntries(ctx, { variants: args.options.variants === true }), 'read');
    if (args.options.json) { io.out(JSON.stringify(list, null, 2)); return; }
    io.out(`${'payload (SHA-256)'.padEnd(64)}  ${'bytes'.padStart(10)}  ${'media type'.padEnd(16)} label`);
    for (const p of list) {
      if (p.kind === 'registered') {
        const n = p.variantFormats.length;
        io.out(`${p.id}  ${String(p.size).padStart(10)}  ${p.mediaType.padEnd(16)} ${p.label}${n ? `   (${n} derived variant${n > 1 ? 's' : ''}: ${p.variantFormats.join(', ')})` : ''}`);
      } else io.out(`  ${p.id}  ${String(p.size).padStart(10)}  ${p.mediaType.padEnd(16)} variant ${p.format} of ${p.sourceId.slice(0, 12)}…`);
    }
    const registered = list.filter((p) => p.kind === 'registered').length;
    io.out(`${registered} registered payload${registered === 1 ? '' : 's'}${args.options.variants ? `, ${list.length - registered} derived variants` : ''}`);
  },
};
