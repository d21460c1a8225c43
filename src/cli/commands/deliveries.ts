import { isIP } from 'node:net';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import { openContext } from '../../node/context.ts';
import { listDeliveries } from '../../evidence/delivery-listing.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';

export const deliveries: Command = {
  name: 'deliveries',
  data: 'existing',
  summary: 'Show recorded delivery sessions (one per peer connection that reached a decoy)',
  options: {
    ip: { type: 'string', arg: 'IP', doc: 'Only this remote IP address' },
    decoy: { type: 'string', arg: 'ID', doc: 'Only this decoy id' },
    since: { type: 'string', arg: 'ISO', doc: `Only sessions that started at or after this time: ${UTC_TIME_HELP}` },
    limit: { type: 'string', arg: 'N', doc: 'At most N rows' },
    json: { type: 'boolean', doc: 'JSON output (all fields)' },
  },
  async run(args, io) {
    const ip = args.options.ip;
    if (ip !== undefined && (typeof ip !== 'string' || isIP(ip) === 0)) throw new InputError(`--ip: not an IP address: ${String(ip)}`);
    const since = args.options.since;
    let sinceMs: number | undefined;
    if (typeof since === 'string') {
      sinceMs = parseUtcTime(since, '--since');
    }
    const decoyId = optionalInt(args, 'decoy', 1, Number.MAX_SAFE_INTEGER);
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    const ctx = openContext(io.settings, io.err);
    try {
      const { rows, notBacked } = await listDeliveries(ctx.store, {
        ...(typeof ip === 'string' ? { ip } : {}), ...(decoyId !== undefined ? { decoyId } : {}),
        ...(sinceMs !== undefined ? { since: sinceMs } : {}), ...(limit !== undefined ? { limit } : {}),
      });
      const bad = notBacked.altered + notBacked.unchained;
      const warning = `WARNING: ${bad} of ${rows.length} rows are not backed by the evidence chain (${notBacked.altered} altered after they were chained, ${notBacked.unchained} not chained); they are not evidence and no export contains them`;
      if (args.options.json) {
        io.out(JSON.stringify(rows.map((r) => ({ ...r.delivery, chain: r.chain })), null, 2));
        if (bad > 0) io.err(warning);
        return;
      }
      io.out(['start (UTC)'.padEnd(24), 'remote'.padEnd(22), 'decoy'.padStart(6), 'bytes'.padStart(10), 'done', 'enc'.padEnd(8), 'chain'.padEnd(9), 'client'.padEnd(28), 'end reason'].join(' '));
      for (const { delivery: d, chain } of rows) {
        io.out([
          new Date(d.startedAt).toISOString().padEnd(24), `${d.remoteIp}:${d.remotePort}`.padEnd(22), String(d.decoyId).padStart(6),
          String(d.bytesServed).padStart(10), (d.completed ? 'yes' : d.metadataOnly ? 'meta' : 'no').padEnd(4), d.encryption.padEnd(8),
          (chain === 'chained' ? 'ok' : chain.toUpperCase()).padEnd(9), (d.client ?? d.clientVersion ?? '?').slice(0, 28).padEnd(28), d.disconnectReason,
        ].join(' '));
      }
      io.out(`${rows.length} deliveries`);
      if (bad > 0) io.out(warning);
    } finally { await ctx.close(); }
  },
};
