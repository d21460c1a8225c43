import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fixtureContext } from '../sources/fixture.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const run = (args: string[]): Promise<{ code: number; out: string; err: string }> => new Promise((resolve) => {
  execFile(process.execPath, [MAIN, ...args], { encoding: 'utf8' }, (e, out, err) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }));
});

test('sources and risk from the CLI: bad input exits 2 with the lines and no stack trace, nothing imported; then import, match (--csv), score, show, review', async () => {
  const f = await fixtureContext();
  const data = join(f.dir, 'data');
  await f.ctx.close();
  try {
    const grade = ['--source', 'Partner A', '--reliability', 'B', '--credibility', '2', '--by', 'tester'];
    const bad = f.file('bad.csv', 'ip,port,timestamp,timezone,action,file_name,reference\n203.0.113.7,40001,2025-03-01T12:00:30,Mars/Olympus,download,a.mp4,R1\n');
    const r1 = await run(['sources', 'import', bad, '--data', data, ...grade]);
    assert.equal(r1.code, 2);
    assert.match(r1.err, /nothing imported: 1 problem:\n\s+line 2: unknown time zone "Mars\/Olympus"/);
    assert.doesNotMatch(r1.err, /\n\s+at /);
    assert.equal((await run(['sources', 'import', bad, '--data', data, '--source', 'x'])).code, 2); // no grade
    const list = await run(['sources', 'list', '--data', data, '--json']);
    assert.deepEqual(JSON.parse(list.out).imports, []);

    const good = f.file('good.csv', 'ip,port,timestamp,timezone,action,file_name,reference\n203.0.113.7,40001,2025-03-01 13:00:30,Europe/Oslo,download,a.mp4,R1\n203.0.113.7,40999,2025-03-01T12:00:30Z,,download,a.mp4,R2\n');
    const r2 = await run(['sources', 'import', good, '--data', data, ...grade]);
    assert.equal(r2.code, 0, r2.err);
    assert.match(r2.out, /Imported 2 rows from Partner A as import \d+ \(graded B2\)/);
    const m = await run(['sources', 'match', '--data', data, '--window', '30', '--csv']);
    assert.equal(m.code, 0, m.err);
    const lines = m.out.trim().split('\n');
    assert.match(lines[0]!, /^data,run,window_s,rule,import,source,grade,line,reference/);
    assert.equal(lines.length, 2, m.out); // R1 only: R2 is the CGNAT neighbour
    assert.match(lines[1]!, /^synthetic,\d+,30,ip\+remote-port\+time,\d+,Partner A,B2,2,R1,203\.0\.113\.7,40001,2025-03-01T12:00:30\.000Z,delivery,1,/);
    const s = await run(['risk', 'score', '--data', data]);
    assert.equal(s.code, 0, s.err);
    assert.match(s.out, /weights w-[0-9a-f]{12}/);
    const show = await run(['risk', 'show', '203.0.113.7', '--data', data]);
    assert.match(show.out, /DRAFT/);
    assert.match(show.out, /FACTS \(counted from records\)/);
    assert.match(show.out, /sourceMatches\s+other source\s+1/);
    assert.equal((await run(['risk', 'review', '203.0.113.7', '--data', data])).code, 2); // no reason
    const rev = await run(['risk', 'review', '203.0.113.7', '--data', data, '--reason', 'records checked', '--by', 'anna']);
    assert.equal(rev.code, 0, rev.err);
    assert.match(rev.out, /REVIEWED \(reviewed by anna at .*: records checked\)/);
    assert.equal((await run(['risk', 'show', '198.51.100.1', '--data', data])).code, 3);
  } finally {
    await f.done().catch(() => {});
  }
});
