import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from '../../config/settings.ts';
import { buildDecoys, buildTorrentFile, magnetLink, parseNameList } from '../../decoy/index.ts';
import { InputError } from '../../domain/errors.ts';
import { openContext } from '../../node/context.ts';
import { requireString } from '../args.ts';
import type { Command } from '../command.ts';

export const decoysBuild: Command = {
  name: 'decoys build',
  summary: 'Build one decoy per name in a name list (one name per line, or CSV name[,size]); all or nothing',
  options: {
    names: { type: 'string', arg: 'FILE', doc: 'Name list supplied by the operator' },
    payload: { type: 'string', arg: 'ID', doc: 'Registered payload id (default: the built-in warning video)' },
  },
  async run(args, io) {
    const file = requireString(args, 'names', 'decoys build');
    let text: string;
    try { text = readFileSync(file, 'utf8'); } catch (e) { throw new InputError(`cannot read name list ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
    const rows = parseNameList(text);
    const ctx = openContext(io.settings, io.err);
    try {
      const payloadId = typeof args.options.payload === 'string' ? args.options.payload : ctx.payloads.list()[0]?.id;
      if (!payloadId) throw new InputError('no payload registered');
      const payload = ctx.payloads.get(payloadId);
      const source = ctx.payloadSource(payload.id);
      const built = buildDecoys(rows, payload, source);
      const stored = await ctx.store.insertDecoys(built, Date.now());
      io.out(`built ${stored.length} decoys from ${file} with payload ${payload.id.slice(0, 12)}… (${payload.label})`);
    } finally { await ctx.close(); }
  },
};

export const decoysList: Command = {
  name: 'decoys list',
  summary: 'List decoys',
  options: { json: { type: 'boolean', doc: 'JSON output' }, status: { type: 'string', arg: 'active|retired', doc: 'Filter by status' } },
  async run(args, io) {
    const status = args.options.status;
    if (status !== undefined && status !== 'active' && status !== 'retired') throw new InputError('--status: expected active or retired');
    const ctx = openContext(io.settings, io.err);
    try {
      const list = await ctx.store.listDecoys(status ? { status } : {});
      if (args.options.json) {
        io.out(JSON.stringify(list.map(({ info: _info, ...d }) => d), null, 2));
        return;
      }
      for (const d of list) io.out(`${String(d.id).padStart(6)}  ${d.infoHash}  ${String(d.size).padStart(10)}  ${d.status.padEnd(7)}  ${d.name}`);
      io.out(`${list.length} decoys`);
    } finally { await ctx.close(); }
  },
};

export const decoysExport: Command = {
  name: 'decoys export',
  summary: 'Write DIR/<infohash>.torrent for every active decoy and DIR/magnets.txt',
  settings: ['trackers'],
  options: {
    out: { type: 'string', arg: 'DIR', doc: 'Output directory (created if missing)' },
    peer: { type: 'string', multiple: true, arg: 'HOST:PORT', doc: 'Add x.pe peer hints to magnets (BEP 9)' },
  },
  async run(args, io) {
    const dir = requireString(args, 'out', 'decoys export');
    const peers = (args.options.peer as string[] | undefined) ?? [];
    for (const p of peers) if (!/^[^\s:]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(p)) throw new InputError(`--peer: expected HOST:PORT, got ${p}`);
    const trackers = io.settings.trackers;
    const ctx = openContext(io.settings, io.err);
    try {
      mkdirSync(dir, { recursive: true });
      const list = await ctx.store.listDecoys({ status: 'active' });
      const magnets: string[] = [];
      for (const d of list) {
        writeFileSync(join(dir, `${d.infoHash}.torrent`), buildTorrentFile({ info: d.info, announce: [...trackers], createdBy: 'counterseed', creationDate: d.createdAt }));
        magnets.push(magnetLink({ infoHash: d.infoHash, name: d.name, size: d.size, trackers: [...trackers], peers }));
      }
      writeFileSync(join(dir, 'magnets.txt'), magnets.length ? `${magnets.join('\n')}\n` : '');
      io.out(`wrote ${list.length} .torrent files and magnets.txt to ${dir}${trackers.length ? '' : ` (no trackers: add ${SETTINGS.trackers.flag} URL)`}`);
    } finally { await ctx.close(); }
  },
};
