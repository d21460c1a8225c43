import { SETTINGS } from '../../config/settings.ts';
import { withContext } from '../../app/context.ts';
import { buildDecoys, exportDecoys, listDecoys, readNameList, writeDecoy } from '../../app/decoys.ts';
import { InputError } from '../../domain/errors.ts';
import { progressBar } from './campaign-progress.ts';
import { requireString } from '../args.ts';
import type { Command } from '../command.ts';
import { purposeLines } from '../records-output.ts';

export const decoysBuild: Command = {
  name: 'decoys build',
  data: 'create',
  summary: 'Build one unique decoy per name (one name per line, CSV name[,size], or the campaign CSV name,size,language,folder: a folder is one multi-file decoy); format by extension, exact size if given; all or nothing',
  settings: ['clientProfile', 'pieceSizePolicy', 'padding'],
  options: {
    names: { type: 'string', arg: 'FILE', doc: 'Name list supplied by the operator' },
    payload: { type: 'string', arg: 'ID', doc: 'Registered payload id (default: the built-in warning video)' },
    again: { type: 'boolean', doc: 'Also build names that active decoys already carry (new decoys with the same names); refused otherwise' },
  },
  async run(args, io) {
    const file = requireString(args, 'names', 'decoys build');
    const payloadId = typeof args.options.payload === 'string' ? args.options.payload : undefined;
    const rows = readNameList(file);
    const bar = progressBar('building decoys');
    const r = await withContext(io.settings, io.err, (ctx) => buildDecoys(ctx, { rows, ...(payloadId !== undefined ? { payloadId } : {}), existingNames: args.options.again ? 'allow' : 'refuse', onProgress: (d, t) => bar.update(d, t), signal: io.signal }));
    io.out(`built ${r.built} decoys from ${file} with payload ${r.payload.id.slice(0, 12)}… (${r.payload.label})`);
  },
};

export const decoysList: Command = {
  name: 'decoys list',
  data: 'existing',
  summary: 'List decoys',
  options: { json: { type: 'boolean', doc: 'JSON output' }, status: { type: 'string', arg: 'active|retired', doc: 'Filter by status' } },
  async run(args, io) {
    const status = args.options.status;
    if (status !== undefined && status !== 'active' && status !== 'retired') throw new InputError('--status: expected active or retired');
    const { list, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, list: await listDecoys(ctx, status ? { status } : {}) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(list.map((d) => ({ ...d, purpose })), null, 2)); return; }
    for (const l of purposeLines(purpose)) io.out(l);
    for (const d of list) {
      io.out(`${String(d.id).padStart(6)}  ${d.infoHash}  ${String(d.size).padStart(10)}  ${d.status.padEnd(7)}  ${d.name}${d.files ? `/  (folder of ${d.files.length} files)` : ''}`);
      // A folder decoy: each file on a line of its own, under the folder.
      for (const f of d.files ?? []) io.out(`${''.padStart(6)}  ${''.padEnd(40)}  ${String(f.size).padStart(10)}  ${''.padEnd(7)}  ${[d.name, ...f.path].join('/')}`);
    }
    io.out(`${list.length} decoys`);
  },
};

export const decoysExport: Command = {
  name: 'decoys export',
  data: 'existing',
  summary: 'Write DIR/<infohash>.torrent for every active decoy and DIR/magnets.txt',
  settings: ['trackers', 'clientProfile', 'createdBy', 'creationDate', 'creationDateSpreadDays'],
  options: {
    out: { type: 'string', arg: 'DIR', doc: 'Output directory (created if missing)' },
    peer: { type: 'string', multiple: true, arg: 'HOST:PORT', doc: 'Add x.pe peer hints to magnets (BEP 9)' },
  },
  async run(args, io) {
    const dir = requireString(args, 'out', 'decoys export');
    const peers = (args.options.peer as string[] | undefined) ?? [];
    for (const p of peers) if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(p)) throw new InputError(`--peer: expected HOST:PORT, got ${p}`);
    const trackers = io.settings.trackers;
    const r = await withContext(io.settings, io.err, (ctx) => exportDecoys(ctx, { dir, trackers, peers }));
    io.out(`wrote ${r.written} .torrent files and magnets.txt to ${dir}${trackers.length ? '' : ` (no trackers: add ${SETTINGS.trackers.flag} URL)`}`);
  },
};

export const decoysWrite: Command = {
  name: 'decoys write',
  data: 'existing',
  summary: 'Materialise one decoy\'s content to a file (for examiners); prints its SHA-256, which must equal the record',
  positionals: 'ID',
  options: { out: { type: 'string', arg: 'FILE', doc: 'Output file (written to FILE.part, then renamed)' } },
  async run(args, io) {
    const idText = args.positionals[0];
    if (!idText || args.positionals.length > 1 || !/^[1-9][0-9]{0,15}$/.test(idText)) throw new InputError('expected exactly one decoy ID (a positive integer)');
    const out = requireString(args, 'out', 'decoys write');
    const bar = progressBar(`writing decoy ${idText}`);
    // Read-only: an examiner may materialise a lab decoy too (its content is the same warning).
    const r = await withContext(io.settings, io.err, (ctx) => writeDecoy(ctx, { id: Number(idText), out, signal: io.signal, onProgress: (d, t) => bar.update(d, t) }), 'read');
    io.out(`${r.sha256}  ${out}`);
  },
};
