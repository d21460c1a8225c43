import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { withLockedContext } from '../../../src/app/context.ts';
import { defaultLabDataDir } from '../../../src/app/paths.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { SETTINGS } from '../../../src/config/settings.ts';
import { DataPurposeError } from '../../../src/domain/data-purpose.ts';
import { openContext, openSqliteStore } from '../../../src/node/context.ts';
import { checkPurpose, openPurpose, PURPOSE_FILE, readPurpose } from '../../../src/node/data-purpose.ts';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.ts';

const made: string[] = [];
const tmp = () => { const d = mkdtempSync(join(tmpdir(), 'cs-purpose-')); made.push(d); return d; };
after(() => { for (const d of made) rmSync(d, { recursive: true, force: true }); });
const purposeOf = (dir: string) => readFileSync(join(dir, PURPOSE_FILE), 'utf8');
/** A data directory made before PURPOSE files: a store, no PURPOSE. */
async function legacyStore(): Promise<string> {
  const dir = tmp();
  await new SqliteStore(join(dir, 'counterseed.db')).close();
  return dir;
}

describe('a data directory says what it holds: evidence, lab or synthetic (issue 15 item 2)', () => {
  it('a new directory is claimed by the first command that writes: lab by the lab, evidence by a live command', () => {
    const lab = tmp();
    assert.equal(openPurpose(lab, 'lab'), 'lab');
    assert.equal(purposeOf(lab), 'lab\n');
    const ev = tmp();
    assert.equal(openPurpose(ev, 'evidence'), 'evidence');
    assert.equal(purposeOf(ev), 'evidence\n');
    // A missing directory (lab creates it) is unclaimed too.
    assert.equal(checkPurpose(join(ev, 'not-yet'), 'lab'), undefined);
  });

  it('the lab refuses a directory of real evidence, and one with a store but no PURPOSE file, and writes nothing there', async () => {
    const ev = tmp();
    writeFileSync(join(ev, PURPOSE_FILE), 'evidence\n');
    assert.throws(() => openPurpose(ev, 'lab'), (e) => e instanceof DataPurposeError && e.exitCode === 77 && /holds real evidence.*lab` never writes there/.test(e.message));
    const legacy = await legacyStore();
    const before = readdirSync(legacy).sort();
    assert.throws(() => openPurpose(legacy, 'lab'), /made before PURPOSE files: it is taken as real evidence/);
    assert.deepEqual(readdirSync(legacy).sort(), before, 'no PURPOSE file, nothing written');
    // Through the lab's own entry (the data directory lock): refused before the lock file is made.
    const settings = { ...loadSettings({ flags: {}, env: {} }), dataDir: legacy };
    await assert.rejects(withLockedContext(settings, 'lab', () => {}, () => assert.fail('must not open'), 'lab'), DataPurposeError);
    assert.deepEqual(readdirSync(legacy).sort(), before, 'no node.lock either');
  });

  it('a live command refuses lab and synthetic directories; lab and synthetic never become evidence', () => {
    for (const p of ['lab', 'synthetic']) {
      const dir = tmp();
      writeFileSync(join(dir, PURPOSE_FILE), `${p}\n`);
      assert.throws(() => openPurpose(dir, 'evidence'), (e) => e instanceof DataPurposeError && new RegExp(`holds ${p} data.*live commands \\(seed`).test(e.message));
      assert.equal(purposeOf(dir), `${p}\n`);
    }
    const synth = tmp();
    writeFileSync(join(synth, PURPOSE_FILE), 'synthetic\n');
    assert.throws(() => openPurpose(synth, 'lab'), DataPurposeError, 'lab data and synthetic data are not mixed either');
    // A generator (counterseed synth) claims its own directories the same way, and never an evidence one.
    const gen = tmp();
    assert.equal(openPurpose(gen, 'synthetic'), 'synthetic');
    assert.equal(purposeOf(gen), 'synthetic\n');
    const ev = tmp();
    writeFileSync(join(ev, PURPOSE_FILE), 'evidence\n');
    assert.throws(() => openPurpose(ev, 'synthetic'), DataPurposeError);
  });

  it('read-only commands read any purpose and write no PURPOSE file; a store without one reads as evidence', async () => {
    const legacy = await legacyStore();
    assert.equal(openPurpose(legacy, 'read'), 'evidence');
    assert.equal(existsSync(join(legacy, PURPOSE_FILE)), false);
    const lab = tmp();
    writeFileSync(join(lab, PURPOSE_FILE), 'lab\n');
    assert.equal(openPurpose(lab, 'read'), 'lab');
    // A live command claims the old store as what it is taken to be.
    assert.equal(openPurpose(legacy, 'evidence'), 'evidence');
    assert.equal(purposeOf(legacy), 'evidence\n');
  });

  it('a PURPOSE file with anything else is refused, not guessed', () => {
    const dir = tmp();
    writeFileSync(join(dir, PURPOSE_FILE), 'Evidence?\n');
    assert.throws(() => readPurpose(dir), /expected evidence, lab or synthetic/);
  });

  it('openContext checks before it opens the store: a refused lab run leaves no database behind', () => {
    const ev = tmp();
    writeFileSync(join(ev, PURPOSE_FILE), 'evidence\n');
    const settings = { ...loadSettings({ flags: {}, env: {} }), dataDir: ev };
    assert.throws(() => openContext(settings, () => {}, openSqliteStore, 'lab'), DataPurposeError);
    assert.equal(existsSync(join(ev, 'counterseed.db')), false);
  });

  it('the context knows its purpose', async () => {
    const dir = tmp();
    mkdirSync(dir, { recursive: true });
    const ctx = openContext({ ...loadSettings({ flags: {}, env: {} }), dataDir: dir }, () => {}, openSqliteStore, 'lab');
    try { assert.equal(ctx.purpose, 'lab'); } finally { await ctx.close(); }
  });

  it('the lab\'s default directory is its own, beside the evidence one', () => {
    assert.equal(defaultLabDataDir({ HOME: '/home/op' }), '/home/op/.local/share/counterseed-lab');
    assert.equal(defaultLabDataDir({ HOME: '/home/op', XDG_DATA_HOME: '/srv/x' }), '/srv/x/counterseed-lab');
    assert.notEqual(defaultLabDataDir(), SETTINGS.dataDir.default);
  });
});
