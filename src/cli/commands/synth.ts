import { synthesize } from '../../app/synth.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';

export const synth: Command = {
  name: 'synth',
  summary: 'Write a NEW data directory of SYNTHETIC deliveries (marked synthetic; for benchmarks and demos, never evidence)',
  options: {
    deliveries: { type: 'string', arg: 'N', doc: 'How many delivery sessions (exactly)' },
    out: { type: 'string', arg: 'DIR', doc: 'The new data directory (refused if it exists)' },
    seed: { type: 'string', arg: 'N', doc: 'Random seed (default 1): the same seed gives the same records' },
  },
  async run(args, io) {
    const n = optionalInt(args, 'deliveries', 1, 1_000_000_000);
    const out = args.options.out;
    if (n === undefined) throw new InputError('--deliveries N is required');
    if (typeof out !== 'string' || out === '') throw new InputError('--out DIR is required');
    const seed = optionalInt(args, 'seed', 0, 2 ** 31 - 1);
    let last = 0;
    const r = await synthesize(io.settings, {
      out, deliveries: n, ...(seed !== undefined ? { seed } : {}), signal: io.signal,
      progress: (w) => { if (w - last >= 1_000_000) { last = w; io.err(`synth: ${w.toLocaleString('en-US')} deliveries written`); } },
    }, io.err);
    io.out(`SYNTHETIC data directory ${out} (PURPOSE: synthetic; never evidence)`);
    io.out(`  ${r.deliveries} deliveries, ${r.announces} announces, ${r.decoys} decoys in 3 campaigns`);
    io.out(`  ${r.ips} addresses drawn (${r.crawlers} metadata-only crawlers, ${r.cgnat} CGNAT gateways); ${r.refresh.enriched} enriched`);
    io.out(`  written in ${r.writeSeconds.toFixed(1)} s (bulk inserts, not chained); rollups and enrichment in ${r.refreshSeconds.toFixed(1)} s`);
  },
};
