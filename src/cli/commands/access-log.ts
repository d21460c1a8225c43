import { exportAccessLog, verifyAccessLogFile } from '../../app/access-log.ts';
import { withGovernance } from '../../app/governance.ts';
import { InputError } from '../../domain/errors.ts';
import type { Command } from '../command.ts';

export const accessLogExport: Command = {
  name: 'access-log export',
  data: 'existing',
  summary: 'Write the web app access log (LED Art. 25: who consulted, disclosed or erased what, and why) as JSON lines',
  options: { out: { type: 'string', arg: 'FILE', doc: 'Output file (must not exist)' } },
  async run(args, io) {
    if (typeof args.options.out !== 'string') throw new InputError('--out FILE is required');
    const out = args.options.out;
    const r = await withGovernance(io.settings, (g) => exportAccessLog(g, out));
    io.out(`${r.entries} entries, head ${r.head}`);
  },
};

export const accessLogVerify: Command = {
  name: 'access-log verify',
  summary: 'Check an exported access log offline: every entry hashes to its hash and links to the one before (exit 1 if not)',
  positionals: 'FILE',
  async run(args, io) {
    if (args.positionals.length !== 1) throw new InputError('expected exactly one FILE');
    const v = verifyAccessLogFile(args.positionals[0]!);
    io.out(`${v.ok ? 'ok' : 'FAILED'}: ${v.entries} entries, head ${v.head}`);
    for (const p of v.problems) io.out(`  ${p}`);
    return v.ok ? 0 : 1;
  },
};
