import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPayloadPath } from '../../../src/payload/index.ts';
import { PayloadError } from '../../../src/payload/errors.ts';
import { buildPdf } from '../../../src/payload/variants/pdf.ts';
import { findLinks } from '../../../src/payload/variants/pdf-text.ts';
import { makeVariant } from '../../../src/payload/variants/make-variant.ts';
import { checkVariant } from '../../../src/payload/variants/check-variant.ts';

// Issue 15 item 14: the warning PDF carries its text as text and its help addresses as links.
const has = (tool: string) => spawnSync(tool, ['-v'], { stdio: 'ignore' }).error === undefined;
const skip = !has('pdftotext') || !has('pdfinfo') || !has('ffmpeg') ? 'needs poppler-utils and ffmpeg (scripts/install-system-deps.sh)' : false;

const dir = mkdtempSync(join(tmpdir(), 'cs-pdf-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const transcriptPath = defaultPayloadPath().replace(/\.mp4$/, '.txt');
const src = { videoPath: defaultPayloadPath(), text: readFileSync(transcriptPath, 'utf8'), videoName: 'warning.mp4' };
const words = (s: string) => s.replace(/\s+/g, ' ').trim();
const pdftotext = (path: string) => execFileSync('pdftotext', ['-enc', 'UTF-8', path, '-'], { encoding: 'utf8' });

function linkRects(pdf: Buffer): { uri: string; rect: number[] }[] {
  return [...pdf.toString('latin1').matchAll(/\/Subtype \/Link \/Rect \[([^\]]+)\][^\n]*\/URI \(([^)]*)\)/g)]
    .map((m) => ({ rect: m[1]!.split(' ').map(Number), uri: m[2]! }));
}

test('the default payload\'s PDF variant: the warning as extractable text, help addresses as URI links over their words', { skip }, () => {
  const path = makeVariant('pdf', src, dir);
  const text = words(pdftotext(path));
  for (const line of src.text.split('\n')) {
    const l = words(line.replace(/, \d+-\d+ s$/, ''));
    if (l !== '') assert.ok(text.includes(l), `missing from the PDF's text: ${l}`);
  }
  const urls = execFileSync('pdfinfo', ['-url', path], { encoding: 'utf8' }).trim().split('\n').slice(1).map((r) => r.trim().split(/\s+/));
  assert.deepEqual(new Set(urls.map((u) => u[1])), new Set(['Annotation']));
  assert.deepEqual(new Set(urls.map((u) => u[2])), new Set(['https://helplinks.eu/', 'https://detfinneshjelp.no/']));
  assert.equal(urls.length, 4, 'each address on each screen is a link');

  // Each link rectangle covers its word as poppler lays the text out (so the metrics are right).
  const bbox = execFileSync('pdftotext', ['-bbox', path, '-'], { encoding: 'utf8' });
  const boxes = [...bbox.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]+)<\/word>/g)]
    .map((m) => ({ word: m[5]!, x0: Number(m[1]), top: Number(m[2]), x1: Number(m[3]), bottom: Number(m[4]) }));
  const rects = linkRects(readFileSync(path));
  assert.equal(rects.length, 4);
  for (const { uri, rect: [x0, y0, x1, y1] } of rects) {
    const host = new URL(uri).host;
    const box = boxes.find((b) => b.word === host && Math.abs(b.x0 - x0!) < 0.6 && 842 - b.bottom > y0! - 1 && 842 - b.top < y1! + 1);
    assert.ok(box, `no word ${host} under the link rectangle ${[x0, y0, x1, y1].join(' ')}`);
    assert.ok(Math.abs(box.x1 - x1!) < 0.6, `${host}: rectangle ends at ${x1}, the word at ${box.x1}`);
  }
  // Still accepted by the variant check (poppler parses and renders it).
  assert.match(checkVariant('pdf', path).checkedBy, /poppler/);
});

test('PDF text: Latin-1 letters survive extraction, long lines wrap, long texts get more pages', { skip }, () => {
  const jpg = new Uint8Array(readFileSync(makeVariant('jpg', src, dir)));
  const long = 'Darstellungen sexuellen Missbrauchs von Kindern zu suchen oder herunterzuladen ist strafbar und schadet Kindern, überall (kein-taeter-werden.de).';
  const lines = ['WARNUNG DER POLIZEI', 'Größe, Ärger, Übel, Øl, Åre, æble, «quoted» — “typographic”', long, ...Array.from({ length: 60 }, (_, i) => `Zeile ${i + 1}`)];
  const path = join(dir, 'de.pdf');
  writeFileSync(path, buildPdf(jpg, lines.join('\n')));
  const text = words(pdftotext(path));
  for (const l of lines) assert.ok(text.includes(words(l)), `missing: ${l}`);
  assert.match(execFileSync('pdfinfo', [path], { encoding: 'utf8' }), /^Pages:\s+2$/m);
  assert.match(execFileSync('pdfinfo', [path], { encoding: 'utf8' }), /^Title:\s+WARNUNG DER POLIZEI$/m);
  // The long line was wrapped: no word lies beyond the right margin.
  const bbox = execFileSync('pdftotext', ['-bbox', path, '-'], { encoding: 'utf8' });
  const right = Math.max(...[...bbox.matchAll(/<word [^>]*xMax="([\d.]+)"/g)].map((m) => Number(m[1])));
  assert.ok(right <= 595 - 50 + 0.5, `text reaches x=${right}`);
  assert.deepEqual(linkRects(readFileSync(path)).map((r) => r.uri), ['https://kein-taeter-werden.de/']);
});

test('PDF text outside Windows-1252 is refused by name, not written as garbage', () => {
  const jpeg = Buffer.from('ffd8ffc0001108001000100301220002110103110100', 'hex');
  assert.throws(() => buildPdf(new Uint8Array(jpeg), 'Ostrzeżenie: pomoc'), (e: unknown) => e instanceof PayloadError && /"ż" \(U\+017C\)/.test((e as Error).message));
});

test('web addresses in warning text: hosts become https links, file names and sentence ends do not', () => {
  const got = (s: string) => findLinks(s).map((l) => [s.slice(l.start, l.end), l.uri]);
  assert.deepEqual(got('helplinks.eu   ·   in Norway: detfinneshjelp.no'), [['helplinks.eu', 'https://helplinks.eu/'], ['detfinneshjelp.no', 'https://detfinneshjelp.no/']]);
  assert.deepEqual(got('See stopitnow.org.uk. Or https://troubled-desire.com/en/ now.'), [['stopitnow.org.uk', 'https://stopitnow.org.uk/'], ['https://troubled-desire.com/en/', 'https://troubled-desire.com/en/']]);
  assert.deepEqual(got('README-WARNING.txt and warning.mp4, e.g. z.B. No.5 user@mail.example.com'), []);
});
