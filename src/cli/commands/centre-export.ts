import { exportAcrossNodes, loadOrCreateCentreKey } from '../../app/centre-export.ts';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import { optionalIp, requireString } from '../args.ts';
import type { Command } from '../command.ts';

export const centreExport: Command = {
  name: 'centre export',
  summary: 'Write one evidence package across nodes from the centre (--store postgres://…): each node\'s records, signed checkpoint and proofs',
  options: {
    ip: { type: 'string', arg: 'IP', doc: 'Records whose remote address is IP' },
    from: { type: 'string', arg: 'ISO', doc: `Only records at or after this time: ${UTC_TIME_HELP}` },
    to: { type: 'string', arg: 'ISO', doc: `Only records before this time: ${UTC_TIME_HELP}` },
    node: { type: 'string', arg: 'FPS', doc: 'Only these nodes: key fingerprints, comma-separated (default every registered node)' },
    out: { type: 'string', arg: 'DIR', doc: 'Output directory (must not exist or be empty)' },
  },
  async run(args, io) {
    const out = requireString(args, 'out', 'centre export');
    if (io.settings.store === '') throw new InputError('centre export reads the centre\'s PostgreSQL: give --store postgres://…');
    const ip = optionalIp(args, 'ip');
    const time = (n: 'from' | 'to') => (typeof args.options[n] === 'string' ? parseUtcTime(args.options[n], `--${n}`) : undefined);
    const [from, to] = [time('from'), time('to')];
    const nodes = typeof args.options.node === 'string' ? args.options.node.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean) : undefined;
    if (ip === undefined && from === undefined && to === undefined && nodes === undefined) throw new InputError('one of --ip, --from/--to or --node is required');
    const key = loadOrCreateCentreKey(io.settings.dataDir);
    const r = await exportAcrossNodes({ url: io.settings.store, out, key, ...(ip !== undefined ? { ip } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(nodes ? { nodes } : {}) });
    for (const n of r.nodes) io.out(`node ${n.node} (${n.label}): ${n.checkpoint ? `${n.records} records, checkpoint of ${n.checkpoint.tree_size}` : 'no verified checkpoint yet: no records'}`);
    io.out(`signed by the centre's key ${key.fingerprint} (${io.settings.dataDir}/keys/centre-ed25519.pub.pem): publish it so that a verifier can pin it`);
    io.out(`check it with: node ${out}/verify-centre.mjs ${out} --centre-key ${key.fingerprint}`);
  },
};
