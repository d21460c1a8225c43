import { queryAnnounces } from '../../app/announces.ts';
import { withContext } from '../../app/context.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';
import { InputError } from '../../domain/errors.ts';
import { isInfoHashHex } from '../../domain/info-hash.ts';

export const announces: Command = {
  name: 'announces',
  data: 'existing',
  summary: 'Show announces the built-in tracker received (with the downloaded/left values clients report)',
  options: {
    infohash: { type: 'string', arg: 'HEX', doc: 'Only this infohash' },
    limit: { type: 'string', arg: 'N', doc: 'At most N rows' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const ih = args.options.infohash;
    if (ih !== undefined && (typeof ih !== 'string' || !isInfoHashHex(ih.toLowerCase()))) throw new InputError('--infohash: expected 40 hex characters');
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    const rows = await withContext(io.settings, io.err, (ctx) => queryAnnounces(ctx, { ...(typeof ih === 'string' ? { infoHash: ih.toLowerCase() } : {}), ...(limit ? { limit } : {}) }));
    if (args.options.json) { io.out(JSON.stringify(rows, null, 2)); return; }
    for (const a of rows) {
      io.out(`${new Date(a.at).toISOString()}  ${a.protocol.padEnd(4)} ${`${a.remoteIp}:${a.announcedPort}`.padEnd(22)} ${a.event.padEnd(9)} left=${a.left} downloaded=${a.downloaded}  ${a.infoHash}${a.decoyId === null ? ' (not ours)' : ''}`);
    }
    io.out(`${rows.length} announces`);
  },
};
