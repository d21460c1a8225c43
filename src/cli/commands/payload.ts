import { withContext } from '../../app/context.ts';
import { listPayloads, registerPayload } from '../../app/payloads.ts';
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
  summary: 'List registered payloads',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const list = await withContext(io.settings, io.err, (ctx) => listPayloads(ctx), 'read');
    if (args.options.json) io.out(JSON.stringify(list, null, 2));
    else for (const p of list) io.out(`${p.id}  ${String(p.size).padStart(10)}  ${p.mediaType.padEnd(16)} ${p.label}`);
  },
};
