import { withContext } from '../../app/context.ts';
import { exportEvidence, initEvidence, nodeKey, publishedCheckpoints, signCheckpoint, type ExportEvidenceInput } from '../../app/evidence.ts';
import { formatReport, readPublishedCheckpoints, verifyEvidence } from '../../app/verify-evidence.ts';
import { InputError } from '../../domain/errors.ts';
import { parseUtcTime, UTC_TIME_HELP } from '../../domain/utc-time.ts';
import { optionalInt, optionalIp, requireString } from '../args.ts';
import type { Command, ParsedArgs } from '../command.ts';
import { purposeLines } from '../records-output.ts';

export const init: Command = {
  name: 'init',
  data: 'create',
  summary: 'Create the data directory, database and the node\'s Ed25519 evidence key; print the key fingerprint to publish',
  async run(_args, io) {
    const k = await withContext(io.settings, io.err, (ctx) => initEvidence(ctx));
    io.out(`${k.created ? 'created' : 'existing'} node key in ${io.settings.dataDir}/keys (private key mode 0600)`);
    io.out(`fingerprint (SHA-256 of the Ed25519 public key), publish it:\n  ${k.fingerprint}\n  ${k.fingerprintGrouped}`);
  },
};

export const evidenceKey: Command = {
  name: 'evidence key',
  data: 'existing',
  summary: 'Print the node key fingerprint (and with --pem the public key)',
  options: { pem: { type: 'boolean', doc: 'Also print the public key (SubjectPublicKeyInfo PEM)' } },
  async run(args, io) {
    const k = await withContext(io.settings, io.err, (ctx) => nodeKey(ctx), 'read');
    io.out(k.fingerprint);
    if (args.options.pem) io.out(k.publicPem.trimEnd());
  },
};

export const evidenceCheckpoint: Command = {
  name: 'evidence checkpoint',
  data: 'existing',
  summary: 'Sign a checkpoint (Merkle tree head) over every evidence record now',
  async run(_args, io) {
    const cp = await withContext(io.settings, io.err, (ctx) => signCheckpoint(ctx));
    io.out(JSON.stringify({ tree_size: cp.treeSize, root: cp.root, head: cp.head, index: cp.index, index_size: cp.indexSize, at: new Date(cp.at).toISOString(), node: cp.node }));
  },
};

export const evidenceCheckpoints: Command = {
  name: 'evidence checkpoints',
  data: 'existing',
  summary: 'Print the signed checkpoints from the checkpoint log file, one line each, to publish or give to a witness',
  options: { last: { type: 'string', arg: 'N', doc: 'Only the newest N' } },
  async run(args, io) {
    const last = optionalInt(args, 'last', 1, Number.MAX_SAFE_INTEGER);
    for (const line of publishedCheckpoints(io.settings.dataDir, last)) io.out(line);
  },
};

function parseTime(args: ParsedArgs, name: string): number | undefined {
  const v = args.options[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InputError(`--${name}: expected a time`);
  return parseUtcTime(v, `--${name}`);
}

export const evidenceExport: Command = {
  name: 'evidence export',
  data: 'existing',
  summary: 'Write a verifiable evidence package for one IP, one decoy or a named case',
  options: {
    ip: { type: 'string', arg: 'IP', doc: 'Records whose remote address is IP' },
    decoy: { type: 'string', arg: 'ID', doc: 'Records about decoy ID' },
    case: { type: 'string', arg: 'NAME', doc: 'A named saved filter: with --ip/--decoy/--from/--to it is saved under NAME, alone it re-runs the saved one' },
    from: { type: 'string', arg: 'ISO', doc: `Only records at or after this time (a delivery's time is its start): ${UTC_TIME_HELP}` },
    to: { type: 'string', arg: 'ISO', doc: `Only records before this time: ${UTC_TIME_HELP}` },
    replace: { type: 'boolean', doc: 'With --case NAME and a filter: replace the filter saved under NAME (without it, a different filter is refused)' },
    out: { type: 'string', arg: 'DIR', doc: 'Output directory (must not exist or be empty)' },
  },
  async run(args, io) {
    const out = requireString(args, 'out', 'evidence export');
    const ip = optionalIp(args, 'ip');
    const decoyId = optionalInt(args, 'decoy', 1, Number.MAX_SAFE_INTEGER);
    const from = parseTime(args, 'from');
    const to = parseTime(args, 'to');
    const caseName = typeof args.options.case === 'string' ? args.options.case : undefined;
    if (caseName !== undefined && !/^[\w.-]{1,100}$/.test(caseName)) throw new InputError('--case: 1-100 letters, digits, . _ -');
    const filter: ExportEvidenceInput['filter'] = { ...(ip !== undefined ? { ip } : {}), ...(decoyId !== undefined ? { decoyId } : {}), ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
    if (filter.ip === undefined && filter.decoyId === undefined && caseName === undefined) throw new InputError('one of --ip, --decoy or --case is required');
    if (args.options.replace === true && (caseName === undefined || Object.keys(filter).length === 0)) throw new InputError('--replace: only with --case NAME and the new filter (--ip/--decoy/--from/--to)');
    const r = await withContext(io.settings, io.err, (ctx) => exportEvidence(ctx, {
      out, filter, ...(caseName !== undefined ? { caseName } : {}), replace: args.options.replace === true,
    }), 'read');
    // A lab directory's package is made (to try the verifier) and says, in its signed manifest, that it is not evidence.
    for (const l of purposeLines(r.purpose)) io.out(`${l}: the package's signed manifest says purpose "${r.purpose}"`);
    io.out(`wrote ${r.records} records (${r.deliveries} deliveries) with inclusion proofs against a checkpoint of ${r.treeSize} records to ${out}`);
    if (r.erased > 0) io.out(`${r.erased} records of the selection were erased under the retention rules: the package carries their stubs (erased.json), not their content`);
    io.out(`node key ${r.fingerprint}; check it with: counterseed evidence verify ${out}`);
  },
};

export const evidenceVerify: Command = {
  name: 'evidence verify',
  summary: 'Check an evidence package offline (signatures, chain, inclusion proofs, CSV); exit 1 on any sign of tampering',
  positionals: 'PATH',
  options: {
    'key-fingerprint': { type: 'string', arg: 'HEX', doc: 'The published node key fingerprint the package must be signed with' },
    published: { type: 'string', arg: 'FILE', doc: 'Checkpoints published earlier (lines of `evidence checkpoints`): detect a shortened or rewritten log' },
    json: { type: 'boolean', doc: 'JSON output' },
  },
  async run(args, io) {
    const dir = args.positionals[0];
    if (!dir || args.positionals.length > 1) throw new InputError('expected exactly one PATH');
    const kf = args.options['key-fingerprint'];
    // A malformed fingerprint is bad input (exit 2), not a finding against the package.
    if (typeof kf === 'string' && !/^[0-9a-f]{64}$/i.test(kf.replace(/[\s:]/g, ''))) {
      throw new InputError(`--key-fingerprint: expected the 64 hex digits of a SHA-256 fingerprint (colons or spaces allowed), got ${JSON.stringify(kf)}`);
    }
    const pf = args.options.published;
    const published = typeof pf === 'string' ? readPublishedCheckpoints(pf) : [];
    const res = await verifyEvidence({ dir, ...(typeof kf === 'string' ? { keyFingerprint: kf } : {}), published });
    io.out(args.options.json ? JSON.stringify(res, null, 2) : formatReport(res));
    return res.ok ? 0 : 1;
  },
};
