import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseCampaignCsv } from '../../../src/campaign/campaign-csv.ts';
import { InputError } from '../../../src/domain/errors.ts';
import { readListFile } from '../../../src/decoy/list-file.ts';
import { parseNameList } from '../../../src/decoy/name-list.ts';

describe('dubious name lists are refused, not silently accepted (issue 15, item 9)', () => {
  it('a semicolon- or tab-separated header is not taken for a decoy name', () => {
    assert.throws(() => parseNameList('name;size\nholiday-video-0042.mp4;2000000\n'), (e: Error) => /line 1: header separated by ";"/.test(e.message) && /line 2: looks like name;size/.test(e.message));
    assert.throws(() => parseNameList('Name\tSize\nholiday-video-0042.mp4\t2000000\n'), /line 1: header separated by "TAB"/);
    assert.throws(() => parseCampaignCsv('name;size;language;folder\nholiday-video-0042.mp4;2000000;no;\n'), /line 1: header separated by ";"/);
    // A name that merely contains a semicolon is still a name.
    assert.deepEqual(parseNameList('holiday; part 2.mp4\n').map((r) => r.name), ['holiday; part 2.mp4']);
  });

  it('an empty campaign list is refused', () => {
    assert.throws(() => parseCampaignCsv('name,size,language,folder\n'), /the list has no names/);
  });

  it('invalid UTF-8 is refused with its line, instead of becoming U+FFFD in a decoy name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cs-list-'));
    const f = join(dir, 'names.txt');
    writeFileSync(f, Buffer.concat([Buffer.from('holiday-video-0001.mp4\nholiday-'), Buffer.from([0xc3, 0x28]), Buffer.from('video.mp4\n')]));
    assert.throws(() => readListFile(f), (e: unknown) => e instanceof InputError && /not valid UTF-8: line 2, byte offset 31/.test(e.message));
    const overlong = join(dir, 'overlong.txt');
    writeFileSync(overlong, Buffer.from([0x61, 0x0a, 0x62, 0x0a, 0xc0, 0xaf, 0x0a]));
    assert.throws(() => readListFile(overlong), /line 3, byte offset 4/);
    const good = join(dir, 'good.txt');
    writeFileSync(good, 'ferie-video-æøå-0001.mp4\n');
    assert.equal(readListFile(good), 'ferie-video-æøå-0001.mp4\n');
    assert.throws(() => readListFile(join(dir, 'missing.txt')), /cannot read name list .*ENOENT/);
  });
});

describe('names and languages the CLI refuses (issue 15, item 9)', async () => {
  const { spawnSync } = await import('node:child_process');
  const { fileURLToPath } = await import('node:url');
  const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
  const run = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });

  it('decoys build refuses extensions no warning container covers, with their lines, and builds nothing', () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-ext-'));
    const names = join(data, 'names.txt');
    writeFileSync(names, 'holiday-video-0001.mp4\nholiday-setup-0002.exe\nholiday-notes-0003.docx\nholiday-video-0004\nholiday-photo-0005.JPG\n');
    const r = run('--data', data, 'decoys', 'build', '--names', names);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /line 2: extension "\.exe" has no warning container/);
    assert.match(r.stderr, /line 3: extension "\.docx"/);
    assert.match(r.stderr, /line 4: "holiday-video-0004" has no extension/);
    assert.doesNotMatch(r.stderr, /line (1|5):/);
    assert.deepEqual(JSON.parse(run('--data', data, 'decoys', 'list', '--json').stdout), []);
  });

  it('campaign create refuses languages and countries that have no warning payload (xx, fr, EN), and keeps no, DE', () => {
    const data = mkdtempSync(join(tmpdir(), 'cs-lang-'));
    const csv = join(data, 'campaign.csv');
    writeFileSync(csv, 'name,size,language,folder\nholiday-video-0001.mp4,,no,\nholiday-video-0002.mp4,,xx,\nholiday-video-0003.mp4,,fr,\nholiday-video-0004.mp4,,EN,\nholiday-video-0005.mp4,,DE,\n');
    const r = run('--data', data, 'campaign', 'create', 'spring', '--names', csv, '--per-day', '10', '--ttl', '3');
    assert.equal(r.status, 2, r.stderr);
    for (const [line, code] of [[3, 'xx'], [4, 'fr'], [5, 'EN']] as const) assert.match(r.stderr, new RegExp(`line ${line}: no warning payload for language or country "${code}"`));
    assert.doesNotMatch(r.stderr, /line (2|6):/);
  });
});
