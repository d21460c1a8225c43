import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../../src/domain/errors.ts';
import { parseUtcTime } from '../../../src/domain/utc-time.ts';

const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));

describe('parseUtcTime (issue 15, item 3)', () => {
  it('reads Z, offsets, fractions and bare dates as UTC instants', () => {
    assert.equal(parseUtcTime('2026-12-06T02:12:40Z', 't'), Date.UTC(2026, 11, 6, 2, 12, 40));
    assert.equal(parseUtcTime('2026-12-06T03:12:40+01:00', 't'), Date.UTC(2026, 11, 6, 2, 12, 40));
    assert.equal(parseUtcTime('2026-12-05T21:12:40-05:00', 't'), Date.UTC(2026, 11, 6, 2, 12, 40));
    assert.equal(parseUtcTime('2026-12-06T02:12Z', 't'), Date.UTC(2026, 11, 6, 2, 12));
    assert.equal(parseUtcTime('2026-12-06T02:12:40.5Z', 't'), Date.UTC(2026, 11, 6, 2, 12, 40, 500));
    assert.equal(parseUtcTime('2026-12-06', 't'), Date.UTC(2026, 11, 6));
  });

  it('refuses a time without an offset, other spellings and impossible dates', () => {
    for (const bad of ['2026-12-06T02:12:40', '06/12/2026', '12/06/2026', '1765000000000', 'yesterday', '2026-02-31', '2026-12-06T24:00:00Z', '2026-12-06T02:12:40+25:00', '']) {
      assert.throws(() => parseUtcTime(bad, '--from'), (e: unknown) => e instanceof InputError && e.exitCode === 2 && e.message.startsWith('--from'), bad);
    }
    assert.throws(() => parseUtcTime('2026-12-06T02:12:40', '--from'), /time zone/);
  });

  it('does not depend on the machine time zone: the CLI under TZ=Europe/Oslo refuses a bare local time and reads Z as UTC', () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-tz-'));
    const env = { ...process.env, TZ: 'Europe/Oslo' };
    const bare = spawnSync(process.execPath, [MAIN, '--data', data, 'deliveries', '--since', '2026-12-06T02:12:40'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(bare.status, 2, bare.stderr);
    assert.match(bare.stderr, /--since: .*time zone/);
    const us = spawnSync(process.execPath, [MAIN, '--data', data, 'deliveries', '--since', '06/12/2026'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(us.status, 2, us.stderr);
    const ok = spawnSync(process.execPath, [MAIN, '--data', data, 'deliveries', '--since', '2026-12-06T02:12:40Z', '--json'], { encoding: 'utf8', env, timeout: 30_000 });
    assert.equal(ok.status, 0, ok.stderr);
  });
});
