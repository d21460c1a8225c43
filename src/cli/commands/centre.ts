import { centreStatus, registerCentreNode, serveCentre, shipToCentre, verifyCentre } from '../../app/centre.ts';
import { withContext } from '../../app/context.ts';
import type { Command } from '../command.ts';

export const centreServe: Command = {
  name: 'centre serve',
  summary: 'Run the centre\'s intake: nodes ship their evidence records here (--store postgres://…; docs/centre.md)',
  options: { listen: { type: 'string', arg: 'ADDRESS:PORT', doc: 'Where the intake listens (default 127.0.0.1:7878)' } },
  async run(args, io) {
    await serveCentre(io.settings, {
      listen: String(args.options.listen ?? '127.0.0.1:7878'), signal: io.signal, log: io.err,
      ready: (url) => io.out(`centre listening at ${url}`),
    });
  },
};

export const centreRegister: Command = {
  name: 'centre register',
  summary: 'Register a node\'s public key (keys/node-ed25519.pub.pem of its data directory) at the centre',
  options: {
    key: { type: 'string', arg: 'FILE', doc: 'The node\'s public key (SPKI PEM)' },
    label: { type: 'string', arg: 'NAME', doc: 'A name for the node (default: the key file name)' },
  },
  async run(args, io) {
    const keyFile = args.options.key;
    if (typeof keyFile !== 'string') { io.err('centre register: --key FILE is required'); return 2; }
    const fp = await registerCentreNode(io.settings, { keyFile, label: String(args.options.label ?? keyFile) });
    io.out(`registered node ${fp}`);
  },
};

export const centreStatusCommand: Command = {
  name: 'centre status',
  summary: 'Every node at the centre: records acknowledged, last contact, backlog, missing ranges, checkpoints; refused requests',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const st = await centreStatus(io.settings);
    if (args.options.json) { io.out(JSON.stringify(st, null, 2)); return; }
    io.out(`${'node'.padEnd(18)} ${'label'.padEnd(16)} ${'acked'.padStart(10)} ${'backlog'.padStart(8)}  ${'last contact (UTC)'.padEnd(24)}  checkpoints  gaps`);
    for (const n of st.nodes) {
      const last = n.lastContact === null ? 'never' : new Date(n.lastContact).toISOString();
      const gaps = n.gaps.length === 0 ? 'none' : n.gaps.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      io.out(`${n.fingerprint.slice(0, 16).padEnd(18)} ${n.label.slice(0, 16).padEnd(16)} ${String(n.acked).padStart(10)} ${String(n.backlog ?? '-').padStart(8)}  ${last.padEnd(24)}  ${`${n.checkpointsVerified} ok, ${n.checkpointsPending} wait`.padEnd(11)}  ${gaps}`);
    }
    if (st.nodes.length === 0) io.out('(no node registered: counterseed centre register --key FILE)');
    for (const r of st.refusals) io.out(`refused: ${r.count} request(s) from key ${r.fingerprint.slice(0, 16)} (${r.reason})`);
  },
};

export const centreShip: Command = {
  name: 'centre ship',
  data: 'existing',
  summary: 'Ship this data directory\'s evidence records to the centre until it has acknowledged all of them, then exit (a stopped node; a running seed ships by itself)',
  settings: ['centreUrl'],
  async run(_args, io) {
    const r = await withContext(io.settings, io.err, (ctx) => shipToCentre(ctx, { url: io.settings.centreUrl, signal: io.signal }), 'read');
    io.out(`the centre has acknowledged all ${r.acked} records of this node (${r.requests} requests)`);
  },
};

export const centreVerify: Command = {
  name: 'centre verify',
  summary: 'Re-verify every node\'s chain as the centre stores it (hashes, links, no gap, every checkpoint\'s signature and root); exit 1 on any problem',
  options: { node: { type: 'string', multiple: true, arg: 'FINGERPRINT', doc: 'Only this node (repeatable)' }, json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const node = args.options.node;
    const reports = await verifyCentre(io.settings, { fingerprints: Array.isArray(node) ? node : typeof node === 'string' ? [node] : [] });
    if (args.options.json) io.out(JSON.stringify(reports, null, 2));
    else for (const r of reports) io.out(`${r.fingerprint.slice(0, 16)}  ${String(r.records).padStart(10)} records  ${String(r.checkpoints).padStart(5)} checkpoints  ${r.problem === null ? 'verifies' : `PROBLEM: ${r.problem}`}`);
    return reports.every((r) => r.problem === null) ? 0 : 1;
  },
};
