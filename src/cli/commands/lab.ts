import { labSettings, runLabMode } from '../../app/lab.ts';
import { optionalInt } from '../args.ts';
import type { Command } from '../command.ts';
import { withDataDirLock } from '../../node/data-dir-lock.ts';

export const lab: Command = {
  name: 'lab',
  summary: 'Show the whole system on this machine alone: tracker + seeder on loopback, simulated downloaders from many 127.x addresses',
  settings: ['port', 'uploadSlots', 'uploadRate', 'queueCapacity', 'flushIntervalMs', 'checkpointEvery', 'checkpointIntervalS', 'clockCheckIntervalS'],
  options: {
    duration: { type: 'string', arg: 'S', doc: 'Run for S seconds (default 20)' },
    downloaders: { type: 'string', arg: 'N', doc: 'Simulated downloads at most (default 200)' },
    concurrency: { type: 'string', arg: 'N', doc: 'Simultaneous downloaders (default 16)' },
    decoys: { type: 'string', arg: 'N', doc: 'Sample decoys to serve (default 20)' },
    sources: { type: 'string', arg: 'N', doc: 'Distinct 127.x.y.z source addresses (default 40)' },
  },
  async run(args, io) {
    const init = {
      durationS: optionalInt(args, 'duration', 1, 86_400) ?? 20,
      downloaders: optionalInt(args, 'downloaders', 1, 100_000) ?? 200,
      concurrency: optionalInt(args, 'concurrency', 1, 256) ?? 16,
      decoys: optionalInt(args, 'decoys', 1, 100_000) ?? 20,
      sources: optionalInt(args, 'sources', 1, 60_000) ?? 40,
    };
    // Lab defaults (app/lab.ts labSettings): loopback, ephemeral ports, a built-in tracker with a short interval. A 5 s interval
    // makes the simulated downloaders announce 360 times as often as real ones (1800 s), from a few
    // 127.x /24s: per source, they would pass the flood budget and be counted in aggregates, so the
    // lab allows 1,000 records per second per source (the global budget stays).
    const settings = {
      ...io.settings,
      recordsPerSourcePerSecond: Math.max(io.settings.recordsPerSourcePerSecond, 1000),
      // Every simulated downloader is in 127.0.1.0/24 and up to 256 run at once: the per-/24 limit must not refuse them.
      maxConnectionsPerPrefix: Math.max(io.settings.maxConnectionsPerPrefix, io.settings.maxConnections),
    };
    // One data directory, one writer: locked before the database is opened (exit 75 if another node holds it).
    const { report: r, dataDir } = await withDataDirLock(labSettings(settings).dataDir, 'lab', () => runLabMode(settings, init, { signal: io.signal, log: io.err }));
    io.out([
      `lab finished: ${r.swarm.ok}/${r.swarm.attempted} simulated downloads completed (${(r.swarm.bytes / 1e6).toFixed(1)} MB) against ${r.decoys} decoys`,
      `evidence recorded: ${r.deliveriesRecorded} delivery sessions from ${r.uniqueIps} IP addresses, ${r.announcesRecorded} tracker announces`,
      ...Object.entries(r.failures).map(([why, n]) => `  ${n} simulated downloads did not finish: ${why}`),
      `data directory: ${dataDir}`,
      `next: bin/counterseed deliveries --data ${dataDir} --limit 20   (and: bin/counterseed evidence export --ip IP --out DIR)`,
    ].join('\n'));
    return r.deliveriesRecorded > 0 ? 0 : 1;
  },
};
