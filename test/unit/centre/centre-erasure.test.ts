import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { exportAcrossNodes } from '../../../src/app/centre-export.ts';
import { runErasure } from '../../../src/app/erasure.ts';
import type { Governance } from '../../../src/app/governance.ts';
import { CentreDb } from '../../../src/centre/centre-db.ts';
import { loadOrCreateCentreKey, type CentreKey } from '../../../src/centre/centre-key.ts';
import { verifyStoredChain } from '../../../src/centre/verify-chain.ts';
import { testNode, type TestNode } from '../../helpers/centre-node.ts';
import { pgUnavailable } from '../../helpers/postgres.ts';
import { call, loginAs, USERS, webFixture, type WebFixture } from '../web/fixture.ts';
// @ts-expect-error: the standalone verifier is plain JavaScript without types for this file
import { verifyCentrePackage } from '../../../verifier/verify-centre.mjs';

// Retention at the centre (issue 13 §7; docs/retention.md "At the centre"): the erasure job erases the records nodes
// shipped as a node erases its own (content gone, leaf hash kept, tombstone, logged, legal hold respected), and a
// centre export spanning them carries stubs that verify-centre.mjs checks and reports as erased.
const unavailable = await pgUnavailable();
const VERIFY_CENTRE = new URL('../../../verifier/verify-centre.mjs', import.meta.url).pathname;
type Result = { ok: boolean; findings: { node: string | null; code: string; message: string }[]; nodes: { node: string; records: number; completeness?: string | null; erased: { seq: number; erasure: string }[] }[] };

describe('the erasure job at a centre', { skip: unavailable }, () => {
  let f: WebFixture;
  let db: CentreDb;
  let node: TestNode;
  let key: CentreKey;
  const dirs: string[] = [];
  const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'cs-cerase-')); dirs.push(d); return join(d, 'pkg'); };
  const DAY = 86_400_000;

  before(async () => {
    f = await webFixture({ store: 'postgres' });
    db = await CentreDb.open(f.ctx.settings.store);
    const keyDir = mkdtempSync(join(tmpdir(), 'cs-cerase-key-'));
    dirs.push(keyDir);
    key = loadOrCreateCentreKey(keyDir);
    node = await testNode(1);
    await db.registerNode(node.ev.key.publicPem, 'node-1');
    // 40 deliveries at 1,764,000,000,000 + seq ms, from 198.18.0.<seq>.
    await node.record(40);
    const cp = node.ev.log.checkpoint('manual');
    await db.ingest(node.ev.key.fingerprint, { records: [...node.ev.table.range(0, 40)].map((r) => ({ seq: r.seq, text: r.text })), checkpoints: [{ text: cp.text, signature: cp.signature }] });
  });
  after(async () => {
    await db?.close();
    await node?.dispose();
    await f?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('erases shipped records past their period, keeps a held address, logs it, and the stored chain still verifies', async () => {
    const anna = await loginAs(f.app, USERS.analyst);
    assert.equal((await call(f.app, 'POST', '/api/holds', anna, { ip: '198.18.0.7', caseRef: 'case-2026-60' })).status, 200);
    const later: Governance = { gov: f.gov, now: () => 1_764_000_000_000 + 3 * 365 * DAY };
    const dry = await runErasure(f.ctx, later, { dryRun: true });
    assert.equal(dry.centre?.categories.find((c) => c.category === 'deliveries')?.erased, 0, 'nothing projected yet: a dry run projects nothing');
    const run = await runErasure(f.ctx, later);
    assert.equal(run.centre?.categories.find((c) => c.category === 'deliveries')?.erased, 39);
    const rows = (await db.pool.query(`SELECT r.seq, r.text FROM centre_nodes n, cs_centre_records(n.id, 0, 1000) r ORDER BY r.seq`)).rows as { seq: number; text: string }[];
    assert.equal(rows.length, 40);
    assert.deepEqual(rows.filter((r) => r.text !== '').map((r) => [r.seq, (JSON.parse(r.text) as { obs: { remoteIp: string } }).obs.remoteIp]), [[7, '198.18.0.7']], 'only the held address keeps its content');
    const tombs = (await db.pool.query('SELECT seq, keys, erasure FROM centre_erased ORDER BY seq')).rows as { seq: number; keys: string; erasure: string }[];
    assert.equal(tombs.length, 39);
    assert.match(tombs[0]!.erasure, /^erasure deliveries \d{4}-/);
    assert.ok((JSON.parse(tombs[0]!.keys) as string[]).includes('ip:198.18.0.0'));
    // Their projected copies in the analysis tables went with them (the store's own erasure of unchained rows).
    assert.equal(Number((await db.pool.query(`SELECT count(*) AS n FROM deliveries WHERE node = $1`, [node.ev.key.fingerprint])).rows[0]!.n), 1);
    const chain = await verifyStoredChain(db.pool, node.ev.key.fingerprint);
    assert.deepEqual([chain.problem, chain.records, chain.erased], [null, 40, 39]);
    const aud = await loginAs(f.app, USERS.auditor);
    const entries = ((await (await call(f.app, 'GET', '/api/access-log?limit=1000', aud)).json()) as { entries: { user: string; action: string; what: string }[] }).entries;
    assert.ok(entries.some((e) => e.user === 'erasure-job' && e.action === 'erase' && /^erasure deliveries \S+, centre records: 39 delivery sessions and their progress records of 1 node\(s\)/.test(e.what)), JSON.stringify(entries.filter((e) => e.action === 'erase')));
  });

  it('a centre export spanning erased records carries their stubs, and verify-centre.mjs says VERIFIED, listing them as erased', async () => {
    const out = tmp();
    // [+5 ms, +15 ms): seqs 5..14, of which 7 (held) still has its content.
    const r = await exportAcrossNodes({ url: f.ctx.settings.store, key, out, from: 1_764_000_000_005, to: 1_764_000_000_015 });
    assert.deepEqual(r.nodes.map((n) => [n.records, n.erased]), [[1, [5, 6, 8, 9, 10, 11, 12, 13, 14]]]);
    const v = verifyCentrePackage(out) as Result;
    assert.deepEqual(v.findings, []);
    assert.deepEqual(v.nodes[0]!.erased.map((e) => e.seq), [5, 6, 8, 9, 10, 11, 12, 13, 14]);
    assert.match(String(v.nodes[0]!.completeness), /^time window: 10 record\(s\) \(9 erased\)/);
    const p = spawnSync(process.execPath, [VERIFY_CENTRE, out, '--centre-key', key.fingerprint], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(p.status, 0, p.stdout + p.stderr);
    assert.match(p.stdout, /  erased: seq 5, recorded 2025-11-24T16:00:00\.005Z, erased \S+ by "erasure deliveries /);
    assert.match(p.stdout, /VERIFIED: .*\(9 record\(s\) erased under the retention rules, listed above: erased, not tampered\)/);
    // By the erased address itself: only its stub.
    const byIp = tmp();
    await exportAcrossNodes({ url: f.ctx.settings.store, key, out: byIp, ip: '198.18.0.5' });
    const w = verifyCentrePackage(byIp) as Result;
    assert.deepEqual([w.ok, w.nodes[0]!.records, w.nodes[0]!.erased.map((e) => e.seq)], [true, 0, [5]]);
    // A stub with another hash is not the leaf the node signed.
    const dir = join(out, 'nodes', node.ev.key.fingerprint);
    const e = JSON.parse(readFileSync(join(dir, 'erased.json'), 'utf8')) as { stubs: { hash: string }[] };
    e.stubs[2]!.hash = 'ab'.repeat(32);
    writeFileSync(join(dir, 'erased.json'), `${JSON.stringify(e)}\n`);
    const bad = verifyCentrePackage(out) as Result;
    assert.equal(bad.ok, false);
    assert.ok(bad.findings.some((x) => x.code === 'stub-proof-failed' && /the stub of erased record 8 is not the leaf at position 8/.test(x.message)), JSON.stringify(bad.findings));
    assert.ok(bad.findings.some((x) => x.code === 'file-digest-mismatch'));
  });
});
