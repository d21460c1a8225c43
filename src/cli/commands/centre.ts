import { assignCentreCampaign, centreStatus, registerCentreNode, revokeCentreNode, serveCentre, shipToCentre, unassignCentreCampaign, verifyCentre } from '../../app/centre.ts';
import { pullFromCentre } from '../../app/centre-assignment.ts';
import { InputError } from '../../domain/errors.ts';
import { optionalInt, requireString } from '../args.ts';
import { withContext } from '../../app/context.ts';
import type { Command } from '../command.ts';

export const centreServe: Command = {
  name: 'centre serve',
  summary: 'Run the centre\'s intake: nodes ship their evidence records here (--store postgres://…; docs/centre.md)',
  options: { listen: { type: 'string', arg: 'ADDRESS:PORT', doc: 'Where the intake listens (default 127.0.0.1:7878)' } },
  settings: ['centreReadWorkers'],
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
  summary: 'Every node at the centre: records acknowledged, last contact, backlog, missing ranges, checkpoints; refused requests; the projection into the analysis tables',
  options: { json: { type: 'boolean', doc: 'JSON output' } },
  async run(args, io) {
    const st = await centreStatus(io.settings);
    if (args.options.json) { io.out(JSON.stringify(st, null, 2)); return; }
    io.out(`${'node'.padEnd(18)} ${'label'.padEnd(16)} ${'acked'.padStart(10)} ${'backlog'.padStart(8)}  ${'last contact (UTC)'.padEnd(24)}  checkpoints  gaps`);
    for (const n of st.nodes) {
      const last = n.lastContact === null ? 'never' : new Date(n.lastContact).toISOString();
      const gaps = n.gaps.length === 0 ? 'none' : n.gaps.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(',');
      io.out(`${n.fingerprint.slice(0, 16).padEnd(18)} ${n.label.slice(0, 16).padEnd(16)} ${String(n.acked).padStart(10)} ${String(n.backlog ?? '-').padStart(8)}  ${last.padEnd(24)}  ${`${n.checkpointsVerified} ok, ${n.checkpointsPending} wait`.padEnd(11)}  ${gaps}${n.revokedAt === null ? '' : `  REVOKED ${new Date(n.revokedAt).toISOString()}`}`);
    }
    for (const n of st.nodes) {
      const pulled = n.lastPull === null ? 'never pulled its assignment' : `pulled ${new Date(n.lastPull).toISOString()}`;
      io.out(`  ${n.label}: ${pulled}; assigned: ${n.assigned.length === 0 ? 'nothing' : n.assigned.join(', ')}${n.health ? `; runs: ${n.health.campaigns.join(', ') || 'none'}` : ''}`);
      for (const a of n.health?.adapters ?? []) io.out(`    ${a.network}: ${a.connections} inbound connection(s) on ${a.listening.join(', ') || '(not listening)'}; ${a.decoys} decoys${a.running ? '' : '; NOT RUNNING'}`);
      for (const a of n.health?.inbound ?? []) io.out(`    inbound on ${a.localIp}: ${a.total} connection(s) in the 24 h before the pull, last ${new Date(a.lastAt).toISOString()}`);
      for (const p of n.health?.problems ?? []) io.out(`    problem: ${p}`);
    }
    if (st.nodes.length === 0) io.out('(no node registered: counterseed centre register --key FILE)');
    for (const r of st.refusals) io.out(`refused: ${r.count} request(s) from key ${r.fingerprint.slice(0, 16)} (${r.reason})`);
    const pr = st.projection;
    io.out(`projection: ${pr.behind} stored record(s) not yet in the analysis tables; ${pr.failures === 0 ? 'no failure' : `${pr.failures} failure(s), last at ${new Date(pr.lastFailureAt ?? 0).toISOString()}: ${pr.lastError ?? ''}`}`);
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

export const centreAssign: Command = {
  name: 'centre assign',
  summary: 'Assign a campaign to a node: the node creates it (and builds its decoys) at its next pull',
  positionals: 'CAMPAIGN',
  options: {
    node: { type: 'string', arg: 'NODE', doc: 'The node: its label, fingerprint, or the fingerprint\'s first 8+ hex digits' },
    names: { type: 'string', arg: 'FILE.csv', doc: 'Campaign list: name,size,language,folder (as campaign create)' },
    'per-day': { type: 'string', arg: 'N', doc: 'Decoys released per day' },
    ttl: { type: 'string', arg: 'DAYS', doc: 'Days a decoy is served before it is retired' },
    payload: { type: 'string', arg: 'ID', doc: 'Warning video for rows without a language (default: the built-in one; the node must hold it)' },
    hybrid: { type: 'boolean', doc: 'Hybrid v1+v2 torrents' },
  },
  async run(args, io) {
    const campaign = args.positionals[0];
    if (!campaign) throw new InputError('centre assign: give the campaign name');
    const perDay = optionalInt(args, 'per-day', 1, 1_000_000);
    const ttl = optionalInt(args, 'ttl', 1, 36_500);
    if (perDay === undefined || ttl === undefined) throw new InputError('--per-day and --ttl are required');
    const node = requireString(args, 'node', 'centre assign');
    await assignCentreCampaign(io.settings, {
      node, campaign, listFile: requireString(args, 'names', 'centre assign'), perDay, ttlDays: ttl, hybrid: args.options.hybrid === true,
      ...(typeof args.options.payload === 'string' ? { payloadId: args.options.payload } : {}),
    });
    io.out(`campaign ${campaign} assigned to ${node}: the node creates it at its next pull`);
  },
};

export const centreUnassign: Command = {
  name: 'centre unassign',
  summary: 'Take a campaign off a node\'s assignment: at its next pull the node stops the campaign (nothing more released, its decoys retired; records stay)',
  positionals: 'CAMPAIGN',
  options: { node: { type: 'string', arg: 'NODE', doc: 'The node: its label or fingerprint' } },
  async run(args, io) {
    const campaign = args.positionals[0];
    if (!campaign) throw new InputError('centre unassign: give the campaign name');
    await unassignCentreCampaign(io.settings, { node: requireString(args, 'node', 'centre unassign'), campaign });
    io.out(`campaign ${campaign} is no longer assigned`);
  },
};

export const centrePull: Command = {
  name: 'centre pull',
  data: 'existing',
  summary: 'Pull this node\'s assignment from the centre once and create the assigned campaigns it lacks (a running seed pulls every minute)',
  settings: ['centreUrl'],
  async run(_args, io) {
    const r = await withContext(io.settings, io.err, (ctx) => pullFromCentre(ctx, { url: io.settings.centreUrl, signal: io.signal }));
    io.out(`assigned campaigns here: ${r.campaigns.join(', ') || 'none'}${r.created.length > 0 ? ` (created now: ${r.created.join(', ')})` : ''}`);
    if (r.stopped.length > 0) io.out(`stopped (unassigned at the centre): ${r.stopped.join(', ')}`);
    for (const p of r.problems) io.err(`not applied: ${p}`);
    return r.problems.length > 0 ? 1 : 0;
  },
};

export const centreRevoke: Command = {
  name: 'centre revoke',
  summary: 'Revoke a node\'s key at the centre: every later batch or pull it signs is refused and counted; its stored records stay',
  options: {
    node: { type: 'string', arg: 'NODE', doc: 'The node: its label or fingerprint' },
    reason: { type: 'string', arg: 'TEXT', doc: 'Why (kept with the revocation)' },
  },
  async run(args, io) {
    const r = await revokeCentreNode(io.settings, { node: requireString(args, 'node', 'centre revoke'), reason: requireString(args, 'reason', 'centre revoke') });
    io.out(r.revoked ? `node ${r.label} (${r.fingerprint}): key revoked; its requests are refused from now on` : `node ${r.label} (${r.fingerprint}) was revoked already`);
  },
};
