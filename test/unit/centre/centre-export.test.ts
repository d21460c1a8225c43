import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { exportAcrossNodes } from '../../../src/app/centre-export.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { dropSchema, pgUnavailable, TEST_PG_URL, uniqueSchema } from '../../helpers/postgres.ts';
// @ts-expect-error: the standalone verifier is plain JavaScript without types for this file
import { verifyCentrePackage } from '../../../verifier/verify-centre.mjs';

const unavailable = await pgUnavailable();
type Result = { ok: boolean; findings: { node: string | null; code: string }[]; nodes: { node: string; records: number; treeSize: number | null }[] };
const verify = (dir: string) => verifyCentrePackage(dir) as Result;

describe('evidence export from the centre across nodes (issue 12 item 5)', { skip: unavailable }, () => {
  const schema = uniqueSchema('cs_cexport');
  let db: CentreDb;
  const nodes: TestNode[] = [];
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'cs-cexport-')); dirs.push(d); return join(d, 'pkg'); };

  before(async () => {
    db = await CentreDb.open(TEST_PG_URL, schema);
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
    const r = await exportAcrossNodes({ url: TEST_PG_URL, schema, out, ip: '198.18.0.7' });
    assert.deepEqual(r.nodes.map((n) => n.records).sort(), [0, 1, 1]);
    const v = verify(out);
    assert.deepEqual(v.findings, []);
    assert.equal(v.ok, true);
    const byNode = Object.fromEntries(v.nodes.map((n) => [n.node, [n.records, n.treeSize]]));
    assert.deepEqual(byNode[nodes[0]!.ev.key.fingerprint], [1, 40]);
    assert.deepEqual(byNode[nodes[1]!.ev.key.fingerprint], [1, 25]);
    assert.deepEqual(byNode[nodes[2]!.ev.key.fingerprint], [0, null], 'a node without a verified checkpoint is listed, with nothing claimed');

    const all = tmp();
    await exportAcrossNodes({ url: TEST_PG_URL, schema, out: all, nodes: [nodes[0]!.ev.key.fingerprint] });
    const w = verify(all);
    assert.equal(w.ok, true);
    assert.deepEqual(w.nodes.map((n) => n.records), [40], 'every record of the named node, chained');
  });

  it('a record edited in the package (its digest re-made, as a forger would) or a swapped key is found, for that node', async () => {
    const out = tmp();
    const [a, b] = [nodes[0]!.ev.key.fingerprint, nodes[1]!.ev.key.fingerprint];
    await exportAcrossNodes({ url: TEST_PG_URL, schema, out, nodes: [a, b] });
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
    assert.deepEqual(codes(a), ['inclusion-proof-invalid', 'chain-broken']);
    assert.deepEqual(codes(b), []);
    writeFileSync(join(out, 'nodes', b, 'public-key.pem'), readFileSync(join(out, 'nodes', a, 'public-key.pem')));
    assert.ok(codes(b).includes('file-digest-mismatch'));
    rewrite(b, 'public-key.pem', (s) => s);
    assert.deepEqual(codes(b), ['key-mismatch']);
    assert.equal(verify(out).ok, false);
  });
});
