import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { loadOrCreateCentreKey, type CentreKey } from '../../../src/centre/centre-key.ts';
import { after, before, describe, it } from 'node:test';
import { exportAcrossNodes } from '../../../src/app/centre-export.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';
// @ts-expect-error: the standalone verifier is plain JavaScript without types for this file
import { verifyCentrePackage } from '../../../verifier/verify-centre.mjs';

const unavailable = await pgUnavailable();
type Result = { ok: boolean; centre: string | null; findings: { node: string | null; code: string }[]; nodes: { node: string; records: number; treeSize: number | null; completeness?: string | null }[] };
const verify = (dir: string, centreKey?: string) => verifyCentrePackage(dir, centreKey === undefined ? {} : { centreKey }) as Result;

describe('evidence export from the centre across nodes (issue 12 item 5)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_cexport');
  let db: CentreDb;
  let key: CentreKey;
  const nodes: TestNode[] = [];
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'cs-cexport-')); dirs.push(d); return join(d, 'pkg'); };

  before(async () => {
    db = await CentreDb.open(TEST_PG_URL, schema);
    const keyDir = mkdtempSync(join(tmpdir(), 'cs-cexport-key-'));
    dirs.push(keyDir);
    key = loadOrCreateCentreKey(keyDir);
    // Two nodes ship 40 and 25 records with a checkpoint each; a third registered node has shipped nothing.
    for (const [i, n] of [[1, 40], [2, 25], [3, 0]] as const) {
      const node = await testNode(i);
      nodes.push(node);
      await db.registerNode(node.ev.key.publicPem, `node-${i}`);
      if (n === 0) continue;
      await node.record(n);
      const cp = node.ev.log.checkpoint('manual');
      await db.ingest(node.ev.key.fingerprint, { records: [...node.ev.table.range(0, n)].map((r) => ({ seq: r.seq, text: r.text })), checkpoints: [{ text: cp.text, signature: cp.signature }] });
    }
  });
  after(async () => {
    await db?.close();
    for (const n of nodes) await n.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
    await dropSchema(schema);
  });

  it('one package holds each node\'s records, checkpoint and proofs, and the verifier checks every node\'s chain', async () => {
    const out = tmp();
    // The test nodes record addresses 198.18.0.0, .0.1, ...: 198.18.0.7 is in both nodes' logs.
    const r = await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out, ip: '198.18.0.7' });
    assert.deepEqual(r.nodes.map((n) => n.records).sort(), [0, 1, 1]);
    const v = verify(out);
    assert.deepEqual(v.findings, []);
    assert.equal(v.ok, true);
    const byNode = Object.fromEntries(v.nodes.map((n) => [n.node, [n.records, n.treeSize]]));
    assert.deepEqual(byNode[nodes[0]!.ev.key.fingerprint], [1, 40]);
    assert.deepEqual(byNode[nodes[1]!.ev.key.fingerprint], [1, 25]);
    assert.deepEqual(byNode[nodes[2]!.ev.key.fingerprint], [0, null], 'a node without a verified checkpoint is listed, with nothing claimed');
    assert.equal(v.centre, key.fingerprint, 'signed by the centre key');
    assert.deepEqual(verify(out, key.fingerprint).findings, [], 'and by the key the verifier expects');
    const complete = v.nodes.find((n) => n.node === nodes[0]!.ev.key.fingerprint)!.completeness;
    assert.match(String(complete), /^ip:198\.18\.0\.7: 1 record\(s\) in the window, 0 outside it, of 1; net:198\.18\.0\.0: no records/);

    const all = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: all, nodes: [nodes[0]!.ev.key.fingerprint] });
    const w = verify(all);
    assert.equal(w.ok, true);
    assert.deepEqual(w.nodes.map((n) => n.records), [40], 'every record of the named node, chained');
    assert.match(String(w.nodes[0]!.completeness), /^time window: 40 record\(s\) in \d+ minute key\(s\)/);

    const window = tmp();
    // Records are at 1,764,000,000,000 + seq ms: [+10 ms, +20 ms) holds seqs 10..19 of both nodes.
    const r2 = await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: window, from: 1_764_000_000_010, to: 1_764_000_000_020 });
    assert.deepEqual(r2.nodes.map((n) => n.records).sort(), [0, 10, 10]);
    assert.deepEqual(verify(window).findings, []);
  });

  it('a record edited in the package (its digest re-made, as a forger would) or a swapped key is found, for that node', async () => {
    const out = tmp();
    const [a, b] = [nodes[0]!.ev.key.fingerprint, nodes[1]!.ev.key.fingerprint];
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out, nodes: [a, b] });
    const manifestPath = join(out, 'centre-manifest.json');
    const rewrite = (fp: string, name: string, edit: (s: string) => string) => {
      const p = join(out, 'nodes', fp, name);
      writeFileSync(p, edit(readFileSync(p, 'utf8')));
      const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as { nodes: { node: string; files: Record<string, string> }[] };
      m.nodes.find((x) => x.node === fp)!.files[name] = createHash('sha256').update(readFileSync(p)).digest('hex');
      writeFileSync(manifestPath, JSON.stringify(m)); // parse and stringify keep the canonical key order
    };
    rewrite(a, 'records.ndjson', (s) => s.replace('"198.18.0.9"', '"198.18.0.99"'));
    const codes = (fp: string) => verify(out).findings.filter((f) => f.node === fp).map((f) => f.code);
    // seq 9's leaf is no longer in node a's signed tree, and seq 10 no longer links to it.
    assert.deepEqual(codes(a), ['inclusion-proof-invalid', 'chain-broken', 'completeness-failed']);
    assert.deepEqual(codes(b), []);
    writeFileSync(join(out, 'nodes', b, 'public-key.pem'), readFileSync(join(out, 'nodes', a, 'public-key.pem')));
    assert.ok(codes(b).includes('file-digest-mismatch'));
    rewrite(b, 'public-key.pem', (s) => s);
    assert.deepEqual(codes(b), ['key-mismatch']);
    assert.equal(verify(out).ok, false);
  });

  /** A package rewritten and signed again by `by` (the centre itself, or a forger with a key of its own). */
  const tamper = (out: string, by: { privateKey: CentreKey['privateKey']; publicPem: string; fingerprint: string }, edit: (m: { centre: string; nodes: { node: string; label: string; records: number; files: Record<string, string> }[] }) => void, files: Record<string, (s: string) => string> = {}) => {
    const manifestPath = join(out, 'centre-manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8')) as Parameters<typeof edit>[0];
    for (const [path, change] of Object.entries(files)) {
      const p = join(out, 'nodes', path);
      writeFileSync(p, change(readFileSync(p, 'utf8')));
      const [fp, name] = path.split('/') as [string, string];
      m.nodes.find((x) => x.node === fp)!.files[name] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
    edit(m);
    const text = JSON.stringify(m);
    writeFileSync(manifestPath, text);
    writeFileSync(join(out, 'centre-manifest.sig'), sign(null, Buffer.from(text, 'utf8'), by.privateKey).toString('base64'));
    writeFileSync(join(out, 'centre-key.pem'), by.publicPem);
  };
  const dropLine = (seq: number) => (s: string) => s.split('\n').filter((l) => !l.includes(`"seq":${seq},`)).join('\n');

  it('a record the centre leaves out is found, even when the centre signs the package again (the node signed its key index)', async () => {
    const [a, b] = [nodes[0]!.ev.key.fingerprint, nodes[1]!.ev.key.fingerprint];
    const byIp = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: byIp, ip: '198.18.0.7' });
    // The record left out of records.ndjson, proofs and completeness.json's inside list: the count and accumulator no longer add up.
    tamper(byIp, key, (m) => { m.nodes.find((x) => x.node === a)!.records = 0; }, {
      [`${a}/records.ndjson`]: dropLine(7),
      [`${a}/completeness.json`]: (s) => s.replace('"inside":[7]', '"inside":[]'),
    });
    const v = verify(byIp, key.fingerprint);
    assert.deepEqual(v.findings.map((f) => [f.node === a ? 'a' : f.node, f.code]), [['a', 'completeness-failed']]);
    // Left in the inside list but not in the package: named as left out.
    const byIp2 = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: byIp2, ip: '198.18.0.7' });
    tamper(byIp2, key, (m) => { m.nodes.find((x) => x.node === b)!.records = 0; }, { [`${b}/records.ndjson`]: dropLine(7) });
    const w = verify(byIp2, key.fingerprint);
    assert.ok(w.findings.some((f) => f.node === b && f.code === 'completeness-failed' && /record 7 of ip:198\.18\.0\.7 in the window not in records\.ndjson: left out/.test((f as unknown as { message: string }).message)), JSON.stringify(w.findings));
    // By time: a record out of the middle of a node's records.
    const byTime = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: byTime, nodes: [a] });
    tamper(byTime, key, (m) => { m.nodes[0]!.records = 39; }, { [`${a}/records.ndjson`]: dropLine(20) });
    assert.deepEqual([...new Set(verify(byTime).findings.map((f) => f.code))], ['completeness-failed']);
  });

  it('a node dropped from the signed list, or the list edited, breaks the centre\'s signature; a list signed again by another key fails the pinned key', async () => {
    const [a] = [nodes[0]!.ev.key.fingerprint];
    const drop = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: drop, ip: '198.18.0.7' });
    const unsigned = { ...key, privateKey: generateKeyPairSync('ed25519').privateKey };
    // Dropped without a new signature (the signature file kept as the centre made it).
    const sig = readFileSync(join(drop, 'centre-manifest.sig'));
    tamper(drop, unsigned, (m) => { m.nodes = m.nodes.filter((x) => x.node !== a); });
    writeFileSync(join(drop, 'centre-manifest.sig'), sig);
    assert.deepEqual(verify(drop).findings.map((f) => f.code), ['centre-signature-invalid']);

    const edit = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: edit, ip: '198.18.0.7' });
    const sig2 = readFileSync(join(edit, 'centre-manifest.sig'));
    tamper(edit, unsigned, (m) => { m.nodes.find((x) => x.node === a)!.label = 'node-9'; });
    writeFileSync(join(edit, 'centre-manifest.sig'), sig2);
    assert.deepEqual(verify(edit).findings.map((f) => f.code), ['centre-signature-invalid']);

    // A forger signs the edited list with a key of its own and names it: only the pinned centre key tells.
    const forged = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, key, out: forged, ip: '198.18.0.7' });
    const forger = loadOrCreateCentreKey(mkdtempSync(join(tmpdir(), 'cs-cexport-forger-')));
    tamper(forged, forger, (m) => { m.nodes = m.nodes.filter((x) => x.node !== a); m.centre = forger.fingerprint; });
    assert.deepEqual(verify(forged).findings, [], 'consistent in itself');
    assert.deepEqual(verify(forged, key.fingerprint).findings.map((f) => f.code), ['centre-key-mismatch']);
  });
});
