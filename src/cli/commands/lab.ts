import { runLabMode } from '../../app/lab.ts';
import { optionalInt } from '../args.ts';
import { offerWebApp } from './lab-web.ts';
import type { Command } from '../command.ts';

export const lab: Command = {
  name: 'lab',
  labData: true,
  summary: 'Show the whole system on this machine alone: tracker + seeder on loopback, simulated downloaders from many 127.x addresses; its own data directory (~/.local/share/counterseed-lab unless --data), never one of real evidence',
  settings: ['port', 'uploadSlots', 'uploadRate', 'queueCapacity', 'flushIntervalMs', 'checkpointEvery', 'checkpointIntervalS', 'clockCheckIntervalS'],
  options: {
    duration: { type: 'string', arg: 'S', doc: 'Run for S seconds (default 20)' },
    downloaders: { type: 'string', arg: 'N', doc: 'Simulated downloads at most (default 200)' },
    concurrency: { type: 'string', arg: 'N', doc: 'Simultaneous downloaders (default 16)' },
    decoys: { type: 'string', arg: 'N', doc: 'Sample decoys to serve (default 20)' },
    sources: { type: 'string', arg: 'N', doc: 'Distinct 127.x.y.z source addresses (default 40)' },
    web: { type: 'boolean', doc: 'Then serve the web app on the lab data with printed demo accounts, until Ctrl-C (default when the output is a terminal)' },
    'no-web': { type: 'boolean', doc: 'Do not offer the web app at the end' },
  },
  async run(args, io) {
    const init = {
      durationS: optionalInt(args, 'duration', 1, 86_400) ?? 20,
      downloaders: optionalInt(args, 'downloaders', 1, 100_000) ?? 200,
      concurrency: optionalInt(args, 'concurrency', 1, 256) ?? 16,
      decoys: optionalInt(args, 'decoys', 1, 100_000) ?? 20,
      sources: optionalInt(args, 'sources', 1, 60_000) ?? 40,
    };
    const { report: r, dataDir } = await runLabMode(io.settings, init, { signal: io.signal, log: io.err });
    io.out([
      'LAB DATA - simulated, not evidence',
      `lab finished: ${r.swarm.ok}/${r.swarm.attempted} simulated downloads completed (${(r.swarm.bytes / 1e6).toFixed(1)} MB) against ${r.decoys} decoys`,
      `evidence recorded: ${r.deliveriesRecorded} delivery sessions from ${r.uniqueIps} IP addresses, ${r.announcesRecorded} tracker announces`,
      ...Object.entries(r.failures).map(([why, n]) => `  ${n} simulated downloads did not finish: ${why}`),
      `data directory: ${dataDir} (PURPOSE lab: live commands such as seed refuse it)`,
      `next: bin/counterseed deliveries --data ${dataDir} --limit 20   (and: bin/counterseed evidence export --ip IP --out DIR)`,
    ].join('\n'));
    if (r.deliveriesRecorded === 0) return 1;
    const web = args.options['no-web'] === true ? false : args.options.web === true || process.stdout.isTTY === true;
    if (web && !io.signal.aborted) return offerWebApp(dataDir, io.signal, io.out);
    return 0;
  },
};
