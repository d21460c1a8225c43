import assert from 'node:assert/strict';
import { it } from 'node:test';
import { allAccessEntries, entryHash, GENESIS, recordAccess, verifyAccessLog } from '../../../src/app/access-log.ts';
import { SqliteGovernanceStore } from '../../../src/store/sqlite/governance-store.ts';

const actor = { id: 1, username: 'anna', role: 'analyst' as const };

function logOf(n: number) {
  const gov = new SqliteGovernanceStore(':memory:');
  let t = 1_764_000_000_000;
  const g = { gov, now: () => t++ };
  for (let i = 0; i < n; i++) recordAccess(g, actor, 'consult', `deliveries ip=198.18.0.${i}: 1 rows`, `case-${i}`);
  return { gov, g };
}

it('the access log chains each entry to the previous one and verifies', () => {
  const { gov, g } = logOf(5);
  const entries = [...allAccessEntries(g)];
  assert.equal(entries[0]!.prevHash, GENESIS);
  for (let i = 1; i < entries.length; i++) assert.equal(entries[i]!.prevHash, entries[i - 1]!.hash);
  const v = verifyAccessLog(entries);
  assert.deepEqual([v.ok, v.entries, v.head], [true, 5, entries[4]!.hash]);
  gov.close();
});

it('verify detects an edited entry (in the database) and names it', () => {
  const { gov, g } = logOf(5);
  gov.database.prepare("UPDATE web_access_log SET purpose = 'something else' WHERE seq = 3").run();
  const v = verifyAccessLog(allAccessEntries(g));
  assert.equal(v.ok, false);
  assert.ok(v.problems.some((p) => p.startsWith('entry 3: content does not match')), v.problems.join('; '));
  gov.close();
});

it('verify detects a deleted entry: the next one no longer links and the sequence has a gap', () => {
  const { gov, g } = logOf(5);
  gov.database.prepare('DELETE FROM web_access_log WHERE seq = 2').run();
  const v = verifyAccessLog(allAccessEntries(g));
  assert.equal(v.ok, false);
  assert.ok(v.problems.some((p) => p.startsWith('entry 3: does not link')), v.problems.join('; '));
  assert.ok(v.problems.some((p) => p.includes('expected sequence 2')), v.problems.join('; '));
  gov.close();
});

it('verify detects an entry rewritten with a recomputed hash: the following link breaks', () => {
  const { gov, g } = logOf(4);
  const entries = [...allAccessEntries(g)];
  const forged = { ...entries[1]!, what: 'nothing to see' };
  // A forger who recomputes this entry's hash still breaks the next entry's link.
  const v = verifyAccessLog([entries[0]!, { ...forged, hash: entryHash(forged) }, entries[2]!, entries[3]!]);
  assert.ok(!v.problems.some((p) => p.startsWith('entry 2:')), 'the forged entry itself is consistent');
  assert.equal(v.ok, false);
  assert.ok(v.problems.some((p) => p.startsWith('entry 3: does not link')), v.problems.join('; '));
  gov.close();
});

it('an exported file that is not an access log is refused with its line; the check is the standalone verifier\'s', async () => {
  const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const { verifyAccessLogFile } = await import('../../../src/app/access-log.ts');
  const { verifyAccessEntries } = await import('../../../verifier/verify-access-log.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'cs-alog-'));
  try {
    const { gov, g } = logOf(3);
    const entries = [...allAccessEntries(g)];
    gov.close();
    const file = join(dir, 'log.jsonl');
    writeFileSync(file, `${entries.map((e) => JSON.stringify(e)).join('\n')}\n{not json\n`);
    assert.throws(() => verifyAccessLogFile(file), (e: Error) => e.name === 'InputError' && e.message === `${file}:4: not JSON`);
    writeFileSync(file, `${JSON.stringify({ seq: 1, at: 1 })}\n`);
    assert.throws(() => verifyAccessLogFile(file), /log\.jsonl:1: not an access-log entry/);
    // The same verdict from the app and from the verifier's own function, on the same entries.
    assert.deepEqual(verifyAccessLog(entries), verifyAccessEntries(entries));
    assert.equal(verifyAccessEntries(entries, { head: '0'.repeat(64) }).ok, false, 'a head noted elsewhere that differs fails');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
