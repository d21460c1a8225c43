import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { SETTINGS } from '../../config/settings.ts';
import { buildTorrentFile, magnetLink, parseNameList } from '../../decoy/index.ts';
import type { DecoySpec } from '../../decoy/factory.ts';
import { buildInSlices } from '../../decoy/build-in-slices.ts';
import { readListFile } from '../../decoy/list-file.ts';
import { extensionIssues, fileResolver } from '../../decoy/file-resolver.ts';
import { NameListError } from '../../decoy/errors.ts';
import { decoyPieceLayers } from '../../decoy/v2-hashes.ts';
import { InputError, NotFoundError } from '../../domain/errors.ts';
import { defaultPayloadPath } from '../../payload/index.ts';
import { transcriptBeside } from '../../payload/variants/variant-registry.ts';
import { progressBar } from './campaign-progress.ts';
import { openContext } from '../../node/context.ts';
import { requireString } from '../args.ts';
import type { Command } from '../command.ts';

export const decoysBuild: Command = {
  name: 'decoys build',
  summary: 'Build one unique decoy per name (one name per line, or CSV name[,size]); format by extension, exact size if given; all or nothing',
  options: {
    names: { type: 'string', arg: 'FILE', doc: 'Name list supplied by the operator' },
    payload: { type: 'string', arg: 'ID', doc: 'Registered payload id (default: the built-in warning video)' },
  },
  async run(args, io) {
    const file = requireString(args, 'names', 'decoys build');
    const rows = parseNameList(readListFile(file));
    const badExtensions = extensionIssues(rows);
    if (badExtensions.length > 0) throw new NameListError(badExtensions);
    const ctx = openContext(io.settings, io.err);
    try {
      const payloadId = typeof args.options.payload === 'string' ? args.options.payload : ctx.payloads.list()[0]?.id;
      if (!payloadId) throw new InputError('no payload registered');
      const payload = ctx.payloads.get(payloadId);
      const textPath = transcriptBeside(defaultPayloadPath());
      // New variants are registered with the decoys, in one transaction, or not at all (issue 15 item 7).
      const variants = ctx.variants.batch();
      const resolve = fileResolver(variants, textPath ? { textPath } : {});
      const specs: DecoySpec[] = rows.map((r) => ({ line: r.line, name: r.name, files: [{ size: r.size, ...resolve(r.name, payload.id) }] }));
      const bar = progressBar('building decoys');
      const built = await buildInSlices(specs, { hasher: ctx.hasher, sizeTaken: ctx.decoyFiles.sizeTaken(), onProgress: (d, t) => bar.update(d, t), signal: io.signal });
      const stored = ctx.decoyFiles.insert(built, Date.now(), undefined, () => variants.commit());
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
        // Hybrid (BEP 52) decoys carry `piece layers` next to the info dict, recomputed from their virtual bytes.
        const pieceLayers = decoyPieceLayers(d, ctx.sourceFor(d));
        writeFileSync(join(dir, `${d.infoHash}.torrent`), buildTorrentFile({ info: d.info, announce: [...trackers], createdBy: 'counterseed', creationDate: d.createdAt, ...(pieceLayers ? { pieceLayers } : {}) }));
        magnets.push(magnetLink({ infoHash: d.infoHash, name: d.name, size: d.size, trackers: [...trackers], peers }));
      }
      writeFileSync(join(dir, 'magnets.txt'), magnets.length ? `${magnets.join('\n')}\n` : '');
      io.out(`wrote ${list.length} .torrent files and magnets.txt to ${dir}${trackers.length ? '' : ` (no trackers: add ${SETTINGS.trackers.flag} URL)`}`);
    } finally { await ctx.close(); }
  },
};

/** Bytes written per write(2) when materialising a decoy. */
const WRITE_CHUNK = 4 * 1024 * 1024;

export const decoysWrite: Command = {
  name: 'decoys write',
  summary: 'Materialise one decoy\'s content to a file (for examiners); prints its SHA-256, which must equal the record',
  positionals: 'ID',
  options: { out: { type: 'string', arg: 'FILE', doc: 'Output file (written to FILE.part, then renamed)' } },
  async run(args, io) {
    const idText = args.positionals[0];
    if (!idText || args.positionals.length > 1 || !/^[1-9][0-9]{0,15}$/.test(idText)) throw new InputError('expected exactly one decoy ID (a positive integer)');
    const out = requireString(args, 'out', 'decoys write');
    const ctx = openContext(io.settings, io.err);
    try {
      const decoy = await ctx.store.getDecoy(Number(idText));
      if (!decoy) throw new NotFoundError(`no decoy with id ${idText}`);
      const src = ctx.sourceFor(decoy);
      const tmp = `${out}.part`;
      const fd = openSync(tmp, 'w', 0o644);
      const sha = createHash('sha256');
      const bar = progressBar(`writing decoy ${decoy.id}`);
      try {
        for (let o = 0; o < src.length; o += WRITE_CHUNK) {
          if (io.signal.aborted) throw new InputError('interrupted');
          const chunk = src.read(o, Math.min(WRITE_CHUNK, src.length - o));
          sha.update(chunk);
          for (let w = 0; w < chunk.length;) w += writeSync(fd, chunk, w, chunk.length - w);
          bar.update(Math.min(src.length, o + WRITE_CHUNK), src.length);
        }
        fsyncSync(fd);
      } finally { closeSync(fd); }
      const digest = sha.digest('hex');
      if (digest !== decoy.contentSha256) throw new Error(`decoy ${decoy.id}: written bytes hash to ${digest}, the record says ${decoy.contentSha256}`);
      renameSync(tmp, out);
      io.out(`${digest}  ${out}`);
    } finally { await ctx.close(); }
  },
};
