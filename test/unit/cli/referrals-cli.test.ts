import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AGENCY_CSV, IP, NOW, RETENTION_CSV, referralFixture } from '../app/referrals/fixture.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
let fx: Awaited<ReturnType<typeof referralFixture>>;
let data = '';
const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [MAIN, ...args, '--data', data], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const AT = new Date(NOW).toISOString();

before(async () => {
  fx = await referralFixture();
  data = fx.ctx.settings.dataDir;
  await fx.ctx.close(); // the CLI opens the directory itself
});
after(() => fx.done().catch(() => {}));

it('referrals and cases from the CLI: tables, due (table, CSV, JSON), build, bad input with exit codes', () => {
  writeFileSync(join(fx.root, 'r.csv'), RETENTION_CSV);
  writeFileSync(join(fx.root, 'a.csv'), AGENCY_CSV);
  writeFileSync(join(fx.root, 'bad.csv'), 'country,asn,days,source\nNO,,21,ok\nXX,,21,x\n');
  let r = cli('referrals', 'retention', 'import', join(fx.root, 'r.csv'));
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /imported 4 rule\(s\)/);
  assert.equal(cli('referrals', 'agencies', 'import', join(fx.root, 'a.csv')).code, 0);

  r = cli('referrals', 'retention', 'import', join(fx.root, 'bad.csv'));
  assert.deepEqual([r.code, r.stdout], [2, '']);
  assert.match(r.stderr, /line 3: country: unknown country code "XX"/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(cli('referrals', 'retention', 'list', '--csv').stdout, 'country,asn,days,source\nFR,,365,test source FR\nNO,,21,"Norwegian ISPs, 2019-20 (issue 14)"\nNO,2119,60,ISP answer 2025\nSE,,180,test source SE\n', 'unchanged');
  assert.equal(cli('referrals', 'retention', 'set', 'NO', '21').code, 2, '--source is required');
  assert.equal(cli('referrals', 'due', '--within', '7', '--at', '2026-01-31T00:00').code, 2, 'a time without a zone');
  assert.equal(cli('referrals', 'due', '--within', '7', '--at', '2026-02-30').code, 2, 'a date that does not exist');
  assert.equal(cli('referrals', 'due').code, 2, '--within is required');

  r = cli('referrals', 'due', '--within', '20', '--at', AT, '--csv');
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^data,deadline,days left,ip,/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(',')[3]), [IP.B, IP.K, IP.C, IP.A, IP.H, IP.I, IP.E, IP.D, IP.F]);
  const json = JSON.parse(cli('referrals', 'due', '--within', '7', '--at', AT, '--json').stdout);
  assert.deepEqual(json.dated.map((x: { ip: string }) => x.ip), [IP.B, IP.K, IP.C]);
  r = cli('referrals', 'due', '--within', '7', '--at', AT);
  assert.match(r.stdout, /Referrals due: .* not yet referred: 3\n/);
  assert.match(r.stdout, /No known deadline:[\s\S]*198\.51\.100\.7 .* not enriched/);

  r = cli('referrals', 'jurisdiction', '--to', AT);
  assert.match(r.stdout, /Kripos\s+NO\s+5/);
  assert.match(r.stdout, /Addresses with no agency \(3\)/);

  r = cli('referrals', 'build', '--out', join(fx.root, 'pkg'), '--within', '7', '--at', AT);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Kripos: 1 address\(es\), 2 deliveries -> /);
  const check = spawnSync(process.execPath, [join(fx.root, 'pkg', 'kripos', 'verify.mjs'), join(fx.root, 'pkg', 'kripos')], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout);
  assert.match(cli('referrals', 'list', '--ip', IP.B).stdout, /Kripos/);

  assert.equal(cli('cases', 'create', 'c1', '--title', 'Decoy swarm').code, 0);
  assert.equal(cli('cases', 'link', 'c1', '--ip', IP.A, '--ip', IP.B, '--source', 'partner ref 17').code, 0);
  assert.equal(cli('cases', 'link', 'c1', '--ip', 'bad').code, 2);
  assert.equal(cli('cases', 'note', 'nope', 'text').code, 3);
  assert.equal(cli('cases', 'status', 'c1', 'referred').code, 0);
  r = cli('cases', 'show', 'c1');
  assert.match(r.stdout, /Case c1: Decoy swarm\n  status referred/);
  assert.match(r.stdout, /193\.0\.0\.2\s+Kripos/, 'the referral of a linked address');
});
