import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PAYLOAD_ID, MemoryPayloadCatalog, PayloadError, PayloadRegistry, defaultPayloadPath, ensureDefaultPayload } from '../../../src/payload/index.ts';
import { bundledManifestPath, bundledVariants, loadBundledVariants } from '../../../src/payload/variants/bundled-variants.ts';
import { VARIANT_FORMATS } from '../../../src/payload/variants/formats.ts';
import { minSize } from '../../../src/payload/variants/layout.ts';
import { transcriptBeside, VariantRegistry, type VariantCatalog, type VariantRow } from '../../../src/payload/variants/variant-registry.ts';

// Issue 15 item 1: on a machine with npm alone (no ffmpeg, ffprobe, poppler, unzip, tar),
// the default payload's variants are all there. PATH is emptied for this test process, so
// any tool the code would run is missing, as on a fresh machine.
const dir = mkdtempSync(join(tmpdir(), 'cs-bundled-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const hasFfmpeg = spawnSync('ffmpeg', ['-version'], { stdio: 'ignore' }).error === undefined;
// A payload of our own, made while ffmpeg is still on PATH: 3 s, so no bundled variant matches it.
const own = join(dir, 'own-warning.mp4');
if (hasFfmpeg) spawnSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=0x203040:s=320x180:r=10:d=3', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', own]);
const emptyBin = mkdtempSync(join(dir, 'bin-'));
process.env.PATH = emptyBin;

class MemoryVariants implements VariantCatalog {
  readonly rows = new Map<string, VariantRow>();
  getVariant(s: string, f: string) { return this.rows.get(`${s}:${f}`); }
  putVariant(v: VariantRow) { this.rows.set(`${v.sourceId}:${v.format}`, v); }
  listVariants(s: string) { return [...this.rows.values()].filter((r) => r.sourceId === s); }
}

function registries(name: string) {
  const payloads = new PayloadRegistry({ dir: join(dir, name), catalog: new MemoryPayloadCatalog() });
  ensureDefaultPayload(payloads);
  const catalog = new MemoryVariants();
  return { payloads, catalog, variants: new VariantRegistry({ payloads, catalog }) };
}

test('every variant of the default payload is made without any tool, as checked when it was rendered', () => {
  const { payloads, catalog, variants } = registries('all');
  const textPath = transcriptBeside(defaultPayloadPath())!;
  for (const { format } of VARIANT_FORMATS) {
    const id = variants.ensure(DEFAULT_PAYLOAD_ID, format, { textPath });
    assert.ok(payloads.isRegistered(id), format);
    assert.match(catalog.getVariant(DEFAULT_PAYLOAD_ID, format)!.checkedBy, /when it was rendered .* same by SHA-256$/, format);
    assert.equal(bundledVariants().get(DEFAULT_PAYLOAD_ID, format)!.sha256, id, format);
    assert.ok(minSize(variants.layout(id, format)) >= payloads.get(id).size, format);
  }
  assert.equal(variants.ensure(DEFAULT_PAYLOAD_ID, 'mp4'), DEFAULT_PAYLOAD_ID, 'an MP4 source is its own mp4 variant');
});

test('the localised videos\' mp4, txt, html, zip and tar variants need no tool either (campaign rows by language)', () => {
  const { payloads, catalog, variants } = registries('localised');
  for (const lang of ['de', 'sv', 'da', 'nl', 'no', 'en']) {
    const video = defaultPayloadPath().replace(/warning-no-en\.mp4$/, `warning-${lang}.mp4`);
    const p = payloads.add(video, { label: `warning-${lang}.mp4` });
    for (const format of ['mp4', 'txt', 'html', 'zip', 'tar']) {
      variants.ensure(p.id, format, { textPath: transcriptBeside(video)! });
      assert.match(catalog.getVariant(p.id, format)!.checkedBy, /when it was rendered/, `${lang} ${format}`);
    }
  }
});

test('a variant the bundle does not cover names the missing tool and its package, and registers nothing', { skip: !hasFfmpeg && 'needs ffmpeg to make the test video' }, () => {
  const { payloads, catalog, variants } = registries('own');
  const p = payloads.add(own, { label: 'own-warning.mp4' });
  for (const [format, tool, pkg] of [['avi', 'ffmpeg', 'ffmpeg'], ['mp4', 'ffprobe', 'ffmpeg'], ['zip', 'unzip', 'unzip']] as const) {
    assert.throws(() => variants.ensure(p.id, format), (e: unknown) => e instanceof PayloadError
      && new RegExp(`cannot make the ${format} variant of payload own-warning\\.mp4 .*${tool} is not installed; install it with: apt-get install ${pkg}`).test((e as Error).message)
      && !/ENOENT/.test((e as Error).message), format);
  }
  assert.equal(catalog.rows.size, 0);
  assert.deepEqual(payloads.list().map((x) => x.label).sort(), ['own-warning.mp4', 'warning-no-en.mp4']);
  // The default payload with another text: its PDF is built from the bundled frame, but checking it needs poppler.
  const { variants: v2 } = registries('text');
  const other = join(dir, 'other.txt');
  writeFileSync(other, 'WARNING\nAnother text: helplinks.eu\n');
  assert.throws(() => v2.ensure(DEFAULT_PAYLOAD_ID, 'pdf', { textPath: other }), /pdfinfo is not installed; install it with: apt-get install poppler-utils/);
});

test('CLI on a machine without tools: decoys build of every format works; one needing ffmpeg says so, exit 2, no stack trace', { skip: !hasFfmpeg && 'needs ffmpeg to make the test video' }, () => {
  const main = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
  const cli = (...args: string[]) => spawnSync(process.execPath, [main, ...args], { encoding: 'utf8', timeout: 60_000 });
  const data = join(dir, 'cli');
  const names = join(dir, 'names.txt');
  writeFileSync(names, VARIANT_FORMATS.map(({ format }, i) => `holiday-video-${String(i).padStart(4, '0')}.${format}`).join('\n'));
  const r = cli('--data', data, 'decoys', 'build', '--names', names);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`built ${VARIANT_FORMATS.length} decoys`));
  const id = cli('--data', data, 'payload', 'add', own).stdout.trim();
  writeFileSync(names, 'garden-party-0001.avi\n');
  const bad = cli('--data', data, 'decoys', 'build', '--names', names, '--payload', id);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /cannot make the avi variant .*ffmpeg is not installed; install it with: apt-get install ffmpeg/);
  assert.doesNotMatch(bad.stderr, /ENOENT|\n\s+at /);
});

test('the bundled files hash to their manifest; a modified or missing one is refused by name', () => {
  const manifest = bundledManifestPath();
  const files = readdirSync(join(manifest, '..')).filter((f) => f !== 'manifest.json');
  assert.ok(files.length >= 13, `${files.length} bundled files`);
  const b = bundledVariants();
  for (const f of files) assert.ok(b.renderedFile(DEFAULT_PAYLOAD_ID, f.split('.').pop()!)?.endsWith(f), f);

  const copy = mkdtempSync(join(dir, 'manifest-'));
  copyFileSync(manifest, join(copy, 'manifest.json'));
  copyFileSync(join(manifest, '..', 'warning-no-en.avi'), join(copy, 'warning-no-en.avi'));
  writeFileSync(join(copy, 'warning-no-en.avi'), 'not the rendered bytes');
  const altered = loadBundledVariants(join(copy, 'manifest.json'));
  assert.throws(() => altered.renderedFile(DEFAULT_PAYLOAD_ID, 'avi'), /bundled avi variant .*warning-no-en\.avi was modified/);
  assert.throws(() => altered.renderedFile(DEFAULT_PAYLOAD_ID, 'mkv'), /warning-no-en\.mkv is missing/);
  assert.equal(altered.renderedFile(DEFAULT_PAYLOAD_ID, 'zip'), undefined, 'zip is made by our own writer, no file');
  writeFileSync(join(copy, 'bad.json'), '{"payloads": {"xyz": {}}}');
  assert.throws(() => loadBundledVariants(join(copy, 'bad.json')), /payload key xyz is not a SHA-256/);
});
