import { withContext } from '../../app/context.ts';
import { bucketSeries, health as healthReport } from '../../app/health.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';
import { purposeLines, shownTime } from '../records-output.ts';

export const health: Command = {
  name: 'health',
  data: 'existing',
  summary: 'Inbound peer connections per local address and per decoy over time: see when an address or a decoy stops receiving peers',
  options: {
    hours: { type: 'string', arg: 'N', doc: 'Look back N hours (default 24)' },
    bucket: { type: 'string', arg: 'MIN', doc: 'Time bucket in minutes (default 60)' },
    decoys: { type: 'string', arg: 'N', doc: 'Show the N quietest active decoys (default 20)' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const hours = optionalInt(args, 'hours', 1, 24 * 366) ?? 24;
    const bucketMin = optionalInt(args, 'bucket', 1, 24 * 60) ?? 60;
    const decoyLimit = optionalInt(args, 'decoys', 1, 1_000_000) ?? 20;
    const { h, purpose } = await withContext(io.settings, io.err, async (ctx) => ({ purpose: ctx.purpose, h: await healthReport(ctx, { hours, bucketMinutes: bucketMin, decoys: decoyLimit }) }), 'read');
    const { now, since, bucketMs, addresses, decoys } = h;
    if (args.options.json) { io.out(JSON.stringify({ purpose, since, bucketMs, addresses, decoys }, null, 2)); return; }
    for (const l of purposeLines(purpose)) io.out(l);
    io.out(`inbound connections per local address, last ${hours} h, ${bucketMin}-minute buckets (oldest left):`);
    for (const a of addresses) {
      const counts = bucketSeries(a.buckets, since, now, bucketMs);
      const quietFor = Math.round((now - a.lastAt) / 60_000);
      io.out(`  ${a.localIp.padEnd(16)} total ${String(a.total).padStart(7)}  last ${quietFor} min ago  ${counts.join(' ')}`);
    }
    if (addresses.length === 0) io.out('  (no inbound connections in this window: check every address)');
    io.out(`quietest ${decoys.length} active decoys (inbound connections / DHT swarm presence, weak):`);
    const at = shownTime(io.settings);
    io.out(`  ${'decoy'.padStart(7)}  ${'inbound'.padStart(7)}  ${'presence'.padStart(8)}  ${`last inbound (${at.label})`.padEnd(at.width)}  name`);
    for (const d of decoys) {
      const last = d.lastInboundAt === null ? 'never' : at(d.lastInboundAt);
      io.out(`  ${String(d.decoyId).padStart(7)}  ${String(d.inbound).padStart(7)}  ${String(d.presence).padStart(8)}  ${last.padEnd(at.width)}  ${d.name}`);
    }
  },
};
