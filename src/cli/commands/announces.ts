import { queryAnnounces } from '../../app/announces.ts';
import { withContext } from '../../app/context.ts';
import { InputError } from '../../domain/errors.ts';
import { isInfoHashHex } from '../../domain/info-hash.ts';
import { optionalInt, optionalIp } from '../args.ts';
import type { Command } from '../command.ts';
import { csvLine, purposeLines, RECORD_LIST_OPTIONS, recordWindow, shownTime, utc } from '../records-output.ts';

const COLUMNS = ['time', 'protocol', 'remote', 'announced port', 'event', 'left', 'downloaded', 'uploaded', 'decoy', 'infohash', 'peer id'] as const;

export const announces: Command = {
  name: 'announces',
  data: 'existing',
  summary: 'Show announces the built-in tracker received (with the downloaded/left values clients report), newest first; the node\'s own announces are left out',
  options: {
    ip: { type: 'string', arg: 'IP', doc: 'Only this remote IP address' },
    decoy: { type: 'string', arg: 'ID', doc: 'Only this decoy id' },
    infohash: { type: 'string', arg: 'HEX', doc: 'Only this infohash (40 hex digits)' },
    'include-own': { type: 'boolean', doc: 'Also the node\'s own announces to its built-in tracker (two per decoy per start and stop)' },
    ...RECORD_LIST_OPTIONS,
  },
  async run(args, io) {
    const { infohash: ih } = args.options;
    if (ih !== undefined && (typeof ih !== 'string' || !isInfoHashHex(ih.toLowerCase()))) throw new InputError('--infohash: expected 40 hex characters');
    const ip = optionalIp(args, 'ip');
    const decoyId = optionalInt(args, 'decoy', 1, Number.MAX_SAFE_INTEGER);
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    const window = recordWindow(args);
    const { rows, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, rows: await queryAnnounces(ctx, {
      ...window, ...(typeof ih === 'string' ? { infoHash: ih.toLowerCase() } : {}), ...(ip !== undefined ? { ip } : {}),
      ...(decoyId !== undefined ? { decoyId } : {}), ...(limit !== undefined ? { limit } : {}), includeOwn: args.options['include-own'] === true,
    }) }), 'read');
    if (args.options.json) { io.out(JSON.stringify(rows.map((a) => ({ ...a, purpose })), null, 2)); return; }
    if (args.options.csv) {
      io.out(csvLine(['time_utc', 'protocol', 'remote_ip', 'remote_port', 'announced_port', 'event', 'left', 'downloaded', 'uploaded', 'decoy_id', 'info_hash', 'peer_id', 'purpose']));
      for (const a of rows) io.out(csvLine([utc(a.at), a.protocol, a.remoteIp, a.remotePort, a.announcedPort, a.event, a.left, a.downloaded, a.uploaded, a.decoyId, a.infoHash, a.peerId, purpose]));
      return;
    }
    const at = shownTime(io.settings);
    const widths = [at.width, 8, 40, 14, 9, 12, 12, 12, 6, 40, 0];
    const line = (f: readonly (string | number)[]) => f.map((v, i) => (i < 3 || i > 8 ? String(v).padEnd(widths[i]!) : String(v).padStart(widths[i]!))).join(' ').trimEnd();
    for (const l of purposeLines(purpose)) io.out(l);
    io.out(line([`time (${at.label})`, ...COLUMNS.slice(1)]));
    for (const a of rows) {
      io.out(line([at(a.at), a.protocol, a.remoteIp.includes(':') ? `[${a.remoteIp}]:${a.remotePort}` : `${a.remoteIp}:${a.remotePort}`, a.announcedPort, a.event,
        a.left, a.downloaded, a.uploaded, a.decoyId ?? 'not ours', a.infoHash, a.peerId]));
    }
    io.out(`${rows.length} announces`);
  },
};
