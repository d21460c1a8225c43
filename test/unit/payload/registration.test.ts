import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addWarningVideo, MemoryPayloadCatalog, PayloadError, PayloadRegistry, defaultPayloadPath } from '../../../src/payload/index.ts';
import { checkVariant } from '../../../src/payload/variants/check-variant.ts';
import { makeVariant } from '../../../src/payload/variants/make-variant.ts';
import { VariantRegistry, type VariantCatalog, type VariantRow } from '../../../src/payload/variants/variant-registry.ts';

// Issue 15 item 7: payload registration.
const dir = mkdtempSync(join(tmpdir(), 'cs-registration-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined;
const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
const cli = (...args: string[]) => spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', timeout: 60_000 });

class MemoryVariants implements VariantCatalog {
  readonly rows = new Map<string, VariantRow>();
  getVariant(s: string, f: string) { return this.rows.get(`${s}:${f}`); }
  putVariant(v: VariantRow) { this.rows.set(`${v.sourceId}:${v.format}`, v); }
  listVariants(s: string) { return [...this.rows.values()].filter((r) => r.sourceId === s); }
}

test('payload add takes warning videos only: text, PDF or unknown bytes are refused at once, nothing stored', () => {
  const data = join(dir, 'refuse');
  const registry = new PayloadRegistry({ dir: data, catalog: new MemoryPayloadCatalog() });
  const cases: [string, string | Uint8Array, RegExp][] = [
    ['warning.txt', 'WARNING FROM THE POLICE\n', /warning\.txt is not a video \(its content looks like text\/plain/],
    ['warning.mp4', 'plain text named like a video\n', /warning\.mp4 is not a video \(its content looks like text\/plain/],
    ['warning.pdf', '%PDF-1.4\n', /is not a video \(its content looks like application\/pdf\)/],
    ['warning.avi', new Uint8Array([0, 1, 2, 3, 0xfe, 0xff]), /is not a video \(its content looks like video\/x-msvideo\)/],
  ];
  for (const [name, body, re] of cases) {
    const path = join(dir, name);
    writeFileSync(path, body);
    assert.throws(() => addWarningVideo(registry, path), (e: unknown) => e instanceof PayloadError && re.test((e as Error).message), name);
  }
  assert.deepEqual(registry.list(), []);
  assert.deepEqual(existsSync(data) ? readdirSync(data, { recursive: true }).filter((f) => !String(f).endsWith('payloads')) : [], []);
  // The CLI says the same with exit 2 and no stack trace.
  const r = cli('--data', join(dir, 'cli-refuse'), 'payload', 'add', join(dir, 'warning.txt'));
  assert.equal(r.status, 2);
  assert.match(r.stderr, /is not a video/);
  assert.doesNotMatch(r.stderr, /\n\s+at /);
});

test('re-adding a registered video: the same label is kept, a new --label replaces it; both are said', () => {
  const registry = new PayloadRegistry({ dir: join(dir, 'label'), catalog: new MemoryPayloadCatalog(), now: () => 1_000 });
  const first = addWarningVideo(registry, defaultPayloadPath(), { label: 'warning-first.mp4' });
  assert.equal(first.notice, undefined);
  const copy = join(dir, 'renamed-copy.mp4');
  copyFileSync(defaultPayloadPath(), copy);
  const again = addWarningVideo(registry, copy);
  assert.equal(again.payload.label, 'warning-first.mp4', 'no --label: the label stays');
  assert.match(again.notice!, /already registered \(since 1970-01-01T00:00:01\.000Z\) as "warning-first\.mp4"/);
  const renamed = addWarningVideo(registry, copy, { label: 'warning-de.mp4' });
  assert.equal(renamed.payload.label, 'warning-de.mp4');
  assert.equal(renamed.payload.id, first.payload.id);
  assert.match(renamed.notice!, /label changed from "warning-first\.mp4" to "warning-de\.mp4"/);
  assert.deepEqual(registry.list().map((p) => p.label), ['warning-de.mp4']);
  // Through the CLI and SQLite: the notice on stderr, the id on stdout, the new label listed.
  const data = join(dir, 'cli-label');
  const own = join(dir, 'own.mp4');
  copyFileSync(defaultPayloadPath(), own);
  assert.equal(cli('--data', data, 'payload', 'add', own, '--label', 'warning-nl.mp4').status, 0);
  const r = cli('--data', data, 'payload', 'add', own, '--label', 'warning-sv.mp4');
  assert.equal(r.status, 0);
  assert.match(r.stderr, /label changed from "warning-nl\.mp4" to "warning-sv\.mp4"/);
  assert.match(cli('--data', data, 'payload', 'list').stdout, /warning-sv\.mp4/);
});

test('image and PDF variants of a 2-second warning video take their frame within it', { skip: !hasFfmpeg && 'needs ffmpeg' }, () => {
  const short = join(dir, 'short.mp4');
  spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x203040:s=320x180:r=10:d=2', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', short]);
  for (const format of ['jpg', 'png', 'gif', 'bmp', 'pdf']) {
    const out = mkdtempSync(join(dir, `short-${format}-`));
    const path = makeVariant(format, { videoPath: short, text: 'WARNING\nhelp: helplinks.eu\n', videoName: 'short.mp4' }, out);
    assert.ok(checkVariant(format, path).checkedBy.length > 0, format);
  }
});

test('a batch registers its variants only on commit; one that never commits leaves nothing registered', () => {
  const payloads = new PayloadRegistry({ dir: join(dir, 'batch'), catalog: new MemoryPayloadCatalog() });
  const source = payloads.add(defaultPayloadPath(), { label: 'warning-no-en.mp4' });
  const catalog = new MemoryVariants();
  const variants = new VariantRegistry({ payloads, catalog });
  const failed = variants.batch();
  const zipId = failed.ensure(source.id, 'zip');
  assert.ok(failed.layout(zipId, 'zip').head.length > 0, 'layouts of made, unregistered variants are usable');
  assert.equal(failed.ensure(source.id, 'zip'), zipId, 'made once per batch');
  assert.equal(catalog.rows.size, 0);
  assert.deepEqual(payloads.list().map((p) => p.id), [source.id]);
  const ok = variants.batch();
  const again = ok.ensure(source.id, 'zip');
  assert.equal(again, zipId);
  ok.commit();
  assert.equal(catalog.getVariant(source.id, 'zip')?.variantId, zipId);
  assert.ok(payloads.isRegistered(zipId));
});

test('decoys build that fails after making variants leaves none registered (all or nothing)', () => {
  const data = join(dir, 'cli-build');
  const names = join(dir, 'names.csv');
  // Row 2 asks for 5 bytes, less than its variant: the build fails after both variants were made.
  writeFileSync(names, 'name,size\nholiday-video-0001.zip,\ngarden-party-0002.txt,5\n');
  const r = cli('--data', data, 'decoys', 'build', '--names', names);
  assert.equal(r.status, 2, r.stderr);
  const list = cli('--data', data, 'payload', 'list', '--json');
  assert.deepEqual((JSON.parse(list.stdout) as { label: string }[]).map((p) => p.label), ['warning-no-en.mp4']);
  writeFileSync(names, 'name,size\nholiday-video-0001.zip,\ngarden-party-0002.txt,\n');
  assert.equal(cli('--data', data, 'decoys', 'build', '--names', names).status, 0);
  const after = JSON.parse(cli('--data', data, 'payload', 'list', '--json', '--variants').stdout) as { label: string }[];
  assert.deepEqual(after.map((p) => p.label).sort(), ['warning-no-en.mp4', 'warning-no-en.txt', 'warning-no-en.zip']);
});
