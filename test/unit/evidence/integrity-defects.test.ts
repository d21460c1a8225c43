import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { canonicalJson } from '../../../src/evidence/canonical-json.ts';
import { readPublished, verifyPackage } from '../../../verifier/verify.mjs';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from './fixture.ts';
import { openEvidence } from '../../../src/evidence/open.ts';

/**
 * Issue 17, defects 1-4: each failed on e985d46 (an export silently wrote fewer records and
 * verified; the checkpoint signed a shortened log; `deliveries` listed unbacked rows silently).
 * The fixture's IP 198.18.0.11 has three deliveries.
 */
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const IP = '198.18.0.11';

async function checkpointed() {
  const f = await evidenceFixture();
  f.ev.log.checkpoint('manual');
  const seqOf = new Map(f.ev.table.selectLinks({ ip: IP }, 100).map((l) => [l.rowId, l.seq]));
  const rows = f.store.database.prepare("SELECT id, decoy_id, started_at FROM deliveries WHERE remote_ip = ? ORDER BY id").all(IP)
    .map((r) => ({ id: Number(r.id), seq: seqOf.get(Number(r.id))!, decoy: Number(r.decoy_id), startedAt: Number(r.started_at) }));
  return { f, rows };
}

describe('issue 17 defects: exports and checkpoints walk the chain', () => {
  it('defect 1: a deleted delivery row refuses the export by IP, by decoy, and the checkpoint, naming the record', async () => {
    const { f, rows } = await checkpointed();
    const victim = rows[1]!;
    f.store.database.exec(`DELETE FROM deliveries WHERE id = ${victim.id}`);
    const gone = new RegExp(`record ${victim.seq} \\(delivery\\): its deliveries row ${victim.id} is gone`);
    await assert.rejects(f.exportTo(join(f.dir, 'by-ip'), { ip: IP }), gone);
    await assert.rejects(f.exportTo(join(f.dir, 'by-decoy'), { decoyId: victim.decoy }, { decoy: victim.decoy }), gone);
    assert.throws(() => f.ev.log.checkpoint('manual', { force: true }), gone);
    assert.equal(existsSync(join(f.dir, 'by-ip')), false, 'nothing half-written');
    // The node's own checkpoints are audited too: the table has one row fewer than the node counted when it last signed.
    assert.throws(() => f.ev.log.checkpoint('periodic', { force: true }), gone);
  });

  it('defect 1: a row deleted before its record was audited is refused by the audit walk', async () => {
    const f = await evidenceFixture();
    const id = Number(f.store.database.prepare('SELECT MAX(id) AS id FROM deliveries').get()!.id);
    f.store.database.exec(`DELETE FROM deliveries WHERE id = ${id}`);
    assert.throws(() => f.ev.log.checkpoint('manual'), /row \d+ is gone/);
  });

  for (const [column, value] of [['remote_ip', "'198.18.0.99'"], ['decoy_id', 'decoy_id + 1'], ['started_at', 'started_at + 3600000']] as const) {
    it(`defect 2: UPDATE ${column} on one row: the export for the original IP, decoy and time is refused with the record number`, async () => {
      const { f, rows } = await checkpointed();
      const victim = rows[0]!;
      f.store.database.exec(`UPDATE deliveries SET ${column} = ${value} WHERE id = ${victim.id}`);
      const changed = new RegExp(`record ${victim.seq} \\(delivery row ${victim.id}\\) no longer matches its chained hash`);
      await assert.rejects(f.exportTo(join(f.dir, 'ip'), { ip: IP }), changed);
      await assert.rejects(f.exportTo(join(f.dir, 'decoy'), { decoyId: victim.decoy }, { decoy: victim.decoy }), changed);
      await assert.rejects(f.exportTo(join(f.dir, 'both'), { ip: IP, decoyId: victim.decoy }, { ip: IP, decoy: victim.decoy }), changed);
      await assert.rejects(f.exportTo(join(f.dir, 'time'), { ip: IP, from: victim.startedAt, to: victim.startedAt + 1 },
        { ip: IP, from: new Date(victim.startedAt).toISOString(), to: new Date(victim.startedAt + 1).toISOString() }), changed);
    });
  }

  it('an export by IP and decoy together takes the IP\'s records from the key index, narrowed to the decoy', async () => {
    const { f, rows } = await checkpointed();
    const decoy = rows[0]!.decoy;
    const out = join(f.dir, 'both');
    const s = await f.exportTo(out, { ip: IP, decoyId: decoy }, { ip: IP, decoy });
    assert.equal(s.deliveries, rows.filter((r) => r.decoy === decoy).length);
    const r = verifyPackage(out);
    assert.deepEqual(r.findings, []);
    const others = rows.filter((x) => x.decoy !== decoy).length;
    assert.equal(r.facts.completeness, `ip:${IP}: ${rows.length - others} record(s) in the window, ${others} of other decoys, 0 outside it, of ${rows.length}`);
    for (const l of readFileSync(join(out, 'records.ndjson'), 'utf8').split('\n').filter(Boolean)) {
      const rec = JSON.parse(l) as { kind: string; obs: { decoyId?: number; remoteIp?: string } };
      if (rec.kind !== 'clock') assert.deepEqual([rec.obs.remoteIp, rec.obs.decoyId], [IP, decoy]);
    }
  });

  it('defect 3: the chain\'s tail deleted with the newest checkpoint row is detected against the checkpoint log file, and by the verifier given the published checkpoint', async () => {
    const f = await evidenceFixture();
    const d = (await f.store.queryDeliveries())[0]!;
    f.ev.log.checkpoint('manual');
    const first = f.ev.table.count();
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: IP }), sampleDelivery(d.decoyId, d.infoHash, { remoteIp: IP })]);
    const newest = f.ev.log.checkpoint('manual');
    assert.equal(newest.treeSize, first + 2);
    const publishedFile = join(f.dir, 'checkpoints.ndjson');
    const lines = readFileSync(publishedFile, 'utf8').split('\n').filter(Boolean);
    assert.equal(lines.length, 2, 'one line per checkpoint');
    const witness = join(f.dir, 'witness.ndjson');
    writeFileSync(witness, `${lines[1]}\n`); // what a witness or the police unit holds

    // The attack: the last two records, their rows and the newest checkpoint row go.
    const db = f.store.database;
    db.exec(`DELETE FROM deliveries WHERE id IN (SELECT first_row_id FROM evidence_runs WHERE first_seq >= ${first} AND kind = 'delivery')`);
    db.exec(`DELETE FROM evidence_runs WHERE first_seq >= ${first}`);
    db.exec(`DELETE FROM evidence_checkpoints WHERE tree_size = ${newest.treeSize}`);
    const cut = new RegExp(`covers ${first + 2} records but the log holds ${first}: records ${first}\\.\\.${first + 1} were deleted`);
    assert.throws(() => f.ev.log.checkpoint('manual', { force: true }), cut);
    await assert.rejects(f.exportTo(join(f.dir, 'x'), { ip: IP }), cut);

    // Only the checkpoint row gone (the records kept): still refused, the published one must be in the database.
    // The attacker goes further: every checkpoint row, the key index and the file. The export then signs the cut log...
    db.exec('DELETE FROM evidence_checkpoints; DELETE FROM evidence_index_records; DELETE FROM evidence_index_keys');
    writeFileSync(publishedFile, '');
    await f.exportTo(join(f.dir, 'after'), { ip: IP });
    assert.equal(verifyPackage(join(f.dir, 'after')).ok, true, 'alone, the package cannot show what was cut');
    // ...which a verifier holding the published checkpoint detects.
    const r = verifyPackage(join(f.dir, 'after'), { published: readPublished(witness) });
    assert.equal(r.ok, false);
    assert.ok(r.findings.some((x) => x.code === 'log-shortened'), JSON.stringify(r.findings));
    const p = spawnSync(process.execPath, [fileURLToPath(new URL('../../../verifier/verify.mjs', import.meta.url)), join(f.dir, 'after'), '--published', witness], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(p.status, 1);
    assert.match(p.stdout, /log-shortened: the checkpoint published .* covers \d+ records, but this package's checkpoint, signed later .*, covers only \d+: the log was cut/);
  });

  it('the checkpoint published last must be in the database: deleting only the newest checkpoint row is refused', async () => {
    const f = await evidenceFixture();
    const cp = f.ev.log.checkpoint('manual');
    f.store.database.exec(`DELETE FROM evidence_checkpoints WHERE tree_size = ${cp.treeSize}`);
    assert.throws(() => f.ev.log.checkpoint('manual'), /published at .* \(tree of \d+ records\) is not in the database/);
  });

  it('a log rewritten under a published checkpoint: refused at export, and flagged by the verifier given that checkpoint', async () => {
    const { f } = await checkpointed();
    const file = join(f.dir, 'checkpoints.ndjson');
    const [line] = readFileSync(file, 'utf8').split('\n');
    // What a rewritten log looks like from outside: a published checkpoint of the same size with another root.
    const body = JSON.parse((JSON.parse(line!) as { text: string }).text) as Record<string, unknown>;
    const forged = canonicalJson({ ...body, root: 'ab'.repeat(32), at: (body.at as number) - 1 });
    const witness = join(f.dir, 'witness.ndjson');
    writeFileSync(witness, `${JSON.stringify({ signature: sign(null, Buffer.from(forged), f.ev.key.privateKey).toString('base64'), text: forged })}\n`);
    const ok = join(f.dir, 'ok');
    await f.exportTo(ok, { ip: IP });
    assert.deepEqual(verifyPackage(ok, { published: readPublished(file) }).findings, [], 'the genuine published checkpoints hold');
    const r = verifyPackage(ok, { published: readPublished(witness) });
    assert.ok(r.findings.some((x) => x.code === 'log-rewritten'), JSON.stringify(r.findings));

    writeFileSync(file, `${readFileSync(witness, 'utf8')}${readFileSync(file, 'utf8')}`); // the forged one as an earlier line of the file
    await assert.rejects(f.exportTo(join(f.dir, 'x'), { ip: IP }), /not consistent with the checkpoint published at .* \(tree of \d+ records\): it was rewritten/);
  });

  it('evidence checkpoints prints the checkpoint log, one line per signed checkpoint, for evidence verify --published', async () => {
    const f = await evidenceFixture();
    f.ev.log.checkpoint('manual');
    await f.exportTo(join(f.dir, 'pkg'), { ip: IP });
    f.ev.detach();
    const cli = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', f.dir, ...a], { encoding: 'utf8', timeout: 30_000 });
    const r = cli('evidence', 'checkpoints');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(f.dir, 'checkpoints.ndjson'), 'utf8'));
    assert.equal(cli('evidence', 'checkpoints', '--last', '1').stdout.split('\n').filter(Boolean).length, 1);
    const published = join(f.dir, 'published.ndjson');
    writeFileSync(published, r.stdout);
    const v = cli('evidence', 'verify', join(f.dir, 'pkg'), '--published', published);
    assert.equal(v.status, 0, v.stdout);
    assert.match(v.stdout, /published: +1 checkpoint\(s\) given with --published/);
    assert.equal(cli('evidence', 'verify', join(f.dir, 'pkg'), '--published', join(f.dir, 'missing')).status, 2);
  });

  it('defect 4: deliveries marks altered and unchained rows and prints a warning with their count', async () => {
    const { f, rows } = await checkpointed();
    f.store.database.exec(`UPDATE deliveries SET bytes_served = bytes_served + 1 WHERE id = ${rows[0]!.id}`);
    f.ev.detach();
    await f.store.appendObservations([sampleDelivery(rows[0]!.decoy, f.infoHashes[0]!, { remoteIp: IP })]); // written with no chain: a forged row
    const run = (...a: string[]) => spawnSync(process.execPath, [MAIN, '--data', f.dir, 'deliveries', ...a], { encoding: 'utf8', timeout: 30_000 });
    const r = run('--ip', IP);
    assert.equal(r.status, 0, r.stderr);
    const body = r.stdout.split('\n').filter((l) => l.startsWith('20'));
    assert.equal(body.length, 4);
    assert.equal(body.filter((l) => / ALTERED /.test(l)).length, 1);
    assert.equal(body.filter((l) => / UNCHAINED /.test(l)).length, 1);
    assert.equal(body.filter((l) => / ok /.test(l)).length, 2);
    assert.match(r.stdout, /WARNING: 2 of 4 rows are not backed by the evidence chain \(1 altered after they were chained, 1 not chained\)/);
    const j = run('--ip', IP, '--json');
    assert.deepEqual((JSON.parse(j.stdout) as { chain: string }[]).map((x) => x.chain).sort(), ['altered', 'chained', 'chained', 'unchained']);
    assert.match(j.stderr, /WARNING: 2 of 4/);
    const clean = run('--ip', '198.18.0.12');
    assert.doesNotMatch(clean.stdout, /WARNING/);
  });

  it('an edited key index is refused at the next checkpoint and at export', async () => {
    const { f } = await checkpointed();
    f.store.database.exec("DELETE FROM evidence_index_records WHERE seq = (SELECT MAX(seq) FROM evidence_index_records WHERE key_id = (SELECT id FROM evidence_index_keys WHERE key = 'ip:198.18.0.11'))");
    await assert.rejects(f.exportTo(join(f.dir, 'x'), { ip: IP }), /record list for ip:198\.18\.0\.11 no longer reproduces its signed count/);
    f.store.database.exec("UPDATE evidence_index_keys SET count = count - 1 WHERE key = 'ip:198.18.0.11'");
    await assert.rejects(f.exportTo(join(f.dir, 'y'), { ip: IP }), /key index in the database no longer matches the root signed/);
    const d = (await f.store.queryDeliveries())[0]!;
    // The node that signed the index keeps its leaf hashes and rehashes only the keys new records touch:
    // an edit to another key is caught at export (above) and by any other process's checkpoint (below),
    // and the running node goes on signing the index as it audited it, not as edited.
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.0.12' })]);
    const before = f.ev.log.checkpoint('periodic');
    const other = openEvidence(f.store, f.dir);
    try {
      assert.throws(() => other.log.checkpoint('manual', { force: true }), /key index in the database no longer matches the root signed in the last checkpoint/);
    } finally { other.detach(); }
    // An edit to a key that new records touch is refused by the node's own next checkpoint.
    f.store.database.exec("UPDATE evidence_index_keys SET count = count + 1 WHERE key = 'ip:198.18.0.12'");
    await f.store.appendObservations([sampleDelivery(d.decoyId, d.infoHash, { remoteIp: '198.18.0.12' })]);
    assert.throws(() => f.ev.log.checkpoint('periodic'), /the entry of ip:198\.18\.0\.12 was edited/);
    assert.ok(before.body.index !== undefined);
  });

  it('completeness: a package from which the key holder left out a record fails the verifier (the signed index still counts it)', async () => {
    const { f } = await checkpointed();
    const out = join(f.dir, 'pkg');
    await f.exportTo(out, { ip: IP });
    assert.deepEqual(verifyPackage(out).findings, []);
    // Drop one delivery everywhere the package names it, and re-sign the manifest with the node's own key.
    const comp = JSON.parse(readFileSync(join(out, 'completeness.json'), 'utf8')) as { inside: number[] };
    const dropped = comp.inside[1]!;
    comp.inside = comp.inside.filter((s) => s !== dropped);
    writeFileSync(join(out, 'completeness.json'), `${JSON.stringify(comp, null, 1)}\n`);
    const recs = readFileSync(join(out, 'records.ndjson'), 'utf8').split('\n').filter(Boolean).filter((l) => (JSON.parse(l) as { seq: number }).seq !== dropped);
    writeFileSync(join(out, 'records.ndjson'), recs.map((l) => `${l}\n`).join(''));
    const csv = readFileSync(join(out, 'deliveries.csv'), 'utf8').split('\r\n').filter((l) => !l.startsWith(`${dropped},`)).join('\r\n');
    writeFileSync(join(out, 'deliveries.csv'), csv);
    const proofs = JSON.parse(readFileSync(join(out, 'proofs.json'), 'utf8')) as { proofs: { seq: number }[] };
    proofs.proofs = proofs.proofs.filter((p) => p.seq !== dropped);
    writeFileSync(join(out, 'proofs.json'), JSON.stringify(proofs));
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { records: number[]; deliveries: number; files: Record<string, string> };
    m.records = m.records.filter((s) => s !== dropped);
    m.deliveries -= 1;
    const { createHash } = await import('node:crypto');
    for (const n of ['completeness.json', 'records.ndjson', 'deliveries.csv', 'proofs.json']) m.files[n] = createHash('sha256').update(readFileSync(join(out, n))).digest('hex');
    const text = canonicalJson(m);
    writeFileSync(join(out, 'manifest.json'), text);
    writeFileSync(join(out, 'manifest.sig'), `${sign(null, Buffer.from(text), f.ev.key.privateKey).toString('base64')}\n`);
    const r = verifyPackage(out);
    assert.equal(r.ok, false);
    assert.deepEqual([...new Set(r.findings.map((x) => x.code))], ['completeness-failed'], JSON.stringify(r.findings));
    assert.match(r.findings[0]!.message, /do not reproduce its signed count \(3\)/);
  });

  it('completeness: an outside link moved into the window, or an edited neighbour of an absent key, fails', async () => {
    const { f } = await checkpointed();
    const out = join(f.dir, 'pkg');
    const from = 1_764_000_001_000;
    await f.exportTo(out, { ip: IP, from }, { ip: IP, from: new Date(from).toISOString() });
    const comp = JSON.parse(readFileSync(join(out, 'completeness.json'), 'utf8')) as { outside: [number, number, string][] };
    assert.ok(comp.outside.length > 0);
    comp.outside[0]![1] = from + 5;
    writeFileSync(join(out, 'completeness.json'), JSON.stringify(comp));
    const r = verifyPackage(out);
    assert.ok(r.findings.some((x) => x.code === 'completeness-failed' && /is in the window .* but not in the package/.test(x.message)), JSON.stringify(r.findings));

    const none = join(f.dir, 'none');
    await f.exportTo(none, { ip: '198.18.0.77' });
    assert.deepEqual(verifyPackage(none).findings, []);
    const c2 = JSON.parse(readFileSync(join(none, 'completeness.json'), 'utf8')) as { neighbours: { leaf: { count: number } }[] };
    c2.neighbours[0]!.leaf.count += 1;
    writeFileSync(join(none, 'completeness.json'), JSON.stringify(c2));
    assert.ok(verifyPackage(none).findings.some((x) => x.code === 'completeness-failed'));
  });
});
