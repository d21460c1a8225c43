import { withContext } from '../../app/context.ts';
import { checkedDeliveries } from '../../app/deliveries.ts';
import { optionalInt, optionalIp } from '../args.ts';
import type { Command } from '../command.ts';
import { csvLine, purposeLines, RECORD_LIST_OPTIONS, recordWindow, shownTime, utc } from '../records-output.ts';

export const deliveries: Command = {
  name: 'deliveries',
  data: 'existing',
  summary: 'Show recorded delivery sessions (one per peer connection that reached a decoy), newest first',
  options: {
    ip: { type: 'string', arg: 'IP', doc: 'Only this remote IP address' },
    decoy: { type: 'string', arg: 'ID', doc: 'Only this decoy id' },
    ...RECORD_LIST_OPTIONS,
  },
  async run(args, io) {
    const ip = optionalIp(args, 'ip');
    const window = recordWindow(args);
    const decoyId = optionalInt(args, 'decoy', 1, Number.MAX_SAFE_INTEGER);
    const limit = optionalInt(args, 'limit', 1, 10_000_000);
    await withContext(io.settings, io.err, async (ctx) => {
      const { rows, notBacked } = await checkedDeliveries(ctx, {
        ...(ip !== undefined ? { ip } : {}), ...(decoyId !== undefined ? { decoyId } : {}),
        ...(window.from !== undefined ? { since: window.from } : {}), ...(window.to !== undefined ? { to: window.to } : {}),
        order: window.order, ...(limit !== undefined ? { limit } : {}),
      });
      const bad = notBacked.altered + notBacked.unchained;
      const warning = `WARNING: ${bad} of ${rows.length} rows are not backed by the evidence chain (${notBacked.altered} altered after they were chained, ${notBacked.unchained} not chained); they are not evidence and no export contains them`;
      const purpose = ctx.purpose;
      if (args.options.json) {
        io.out(JSON.stringify(rows.map((r) => ({ ...r.delivery, chain: r.chain, purpose })), null, 2));
        if (bad > 0) io.err(warning);
        return;
      }
      // Decoy names for the rows (issue 15 item 12: an analyst saw only ids); one look-up per decoy.
      const names = new Map<number, string>();
      for (const { delivery: d } of rows) if (!names.has(d.decoyId)) names.set(d.decoyId, (await ctx.store.getDecoy(d.decoyId))?.name ?? '?');
      const done = (d: (typeof rows)[number]['delivery']) => (d.completed ? 'yes' : d.metadataOnly ? 'meta' : 'no');
      const chainOf = (c: string) => (c === 'chained' ? 'ok' : c.toUpperCase());
      if (args.options.csv) {
        io.out(csvLine(['start_utc', 'end_utc', 'remote_ip', 'remote_port', 'decoy_id', 'decoy_name', 'info_hash', 'bytes_served', 'completed', 'encryption', 'chain', 'client', 'end_reason', 'purpose']));
        for (const { delivery: d, chain } of rows) {
          io.out(csvLine([utc(d.startedAt), utc(d.endedAt), d.remoteIp, d.remotePort, d.decoyId, names.get(d.decoyId), d.infoHash,
            d.bytesServed, done(d), d.encryption, chainOf(chain), d.client ?? d.clientVersion ?? '', d.disconnectReason, purpose]));
        }
        if (bad > 0) io.err(warning);
        return;
      }
      for (const l of purposeLines(purpose)) io.out(l);
      const at = shownTime(io.settings);
      io.out([`start (${at.label})`.padEnd(at.width), `end (${at.label})`.padEnd(at.width), 'remote'.padEnd(22), 'decoy'.padStart(6), 'bytes'.padStart(10), 'done', 'enc'.padEnd(8), 'chain'.padEnd(9), 'client'.padEnd(28), 'end reason'.padEnd(16), 'decoy name'].join(' '));
      for (const { delivery: d, chain } of rows) {
        io.out([
          at(d.startedAt).padEnd(at.width), at(d.endedAt).padEnd(at.width), `${d.remoteIp}:${d.remotePort}`.padEnd(22), String(d.decoyId).padStart(6),
          String(d.bytesServed).padStart(10), done(d).padEnd(4), d.encryption.padEnd(8),
          chainOf(chain).padEnd(9), (d.client ?? d.clientVersion ?? '?').slice(0, 28).padEnd(28), d.disconnectReason.padEnd(16), names.get(d.decoyId),
        ].join(' '));
      }
      io.out(`${rows.length} deliveries`);
      if (bad > 0) io.out(warning);
    }, 'read');
  },
};
