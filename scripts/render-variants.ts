/**
 * Renders and checks the variants of the bundled warning videos ahead of time, so a machine
 * without ffmpeg, poppler or unzip can build decoys from them (issue 15 item 1; see
 * src/payload/variants/bundled-variants.ts). Needs the tools (scripts/install-system-deps.sh).
 *
 *   node scripts/render-variants.ts     # writes assets/payloads/variants/{manifest.json,warning-no-en.*}
 *
 * Every bundled video (assets/payloads/warning-*.mp4) gets the hashes of the variants our own
 * writers make from it and its transcript (mp4, txt, html, zip, tar); the default payload also
 * gets every ffmpeg-made variant as a file, and its PDF. Run it again after re-rendering a video
 * or editing a transcript; a stale entry is harmless (its hash no longer matches, so the tools
 * are used), but a fresh machine then needs them.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_PAYLOAD_LABEL } from '../src/payload/default-payload.ts';
import { checkVariant } from '../src/payload/variants/check-variant.ts';
import { VARIANT_FORMATS } from '../src/payload/variants/formats.ts';
import { makeVariant } from '../src/payload/variants/make-variant.ts';

const ASSETS = fileURLToPath(new URL('../assets/payloads/', import.meta.url));
const OUT = join(ASSETS, 'variants');
/** Formats our own writers make without ffmpeg (given the video and its transcript). */
const WITHOUT_FFMPEG = new Set(['mp4', 'txt', 'html', 'zip', 'tar']);

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const tmp = mkdtempSync(join(tmpdir(), 'render-variants-'));
mkdirSync(OUT, { recursive: true });
for (const f of readdirSync(OUT)) if (f !== 'manifest.json') rmSync(join(OUT, f));

const payloads: Record<string, { label: string; variants: Record<string, { sha256: string; checkedBy: string; file?: string }> }> = {};
try {
  const videos = readdirSync(ASSETS).filter((f) => /^warning-[a-z-]+\.mp4$/.test(f)).sort();
  for (const video of videos) {
    const videoPath = join(ASSETS, video);
    const isDefault = video === DEFAULT_PAYLOAD_LABEL;
    const src = { videoPath, text: readFileSync(videoPath.replace(/\.mp4$/, '.txt'), 'utf8'), videoName: video };
    const variants: Record<string, { sha256: string; checkedBy: string; file?: string }> = {};
    for (const { format, kind } of VARIANT_FORMATS) {
      if (!isDefault && !WITHOUT_FFMPEG.has(format)) continue;
      const dir = mkdtempSync(join(tmp, `${format}-`));
      const path = format === 'mp4' ? videoPath : makeVariant(format, src, dir);
      const { checkedBy } = checkVariant(format, path);
      const entry: { sha256: string; checkedBy: string; file?: string } = { sha256: sha256(path), checkedBy };
      if (kind === 'video' || kind === 'image') {
        if (format !== 'mp4') {
          entry.file = `${basename(video, '.mp4')}.${format}`;
          copyFileSync(path, join(OUT, entry.file));
        }
      }
      variants[format] = entry;
    }
    payloads[sha256(videoPath)] = { label: video, variants };
    console.log(`${video}: ${Object.keys(variants).join(' ')}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
const manifest = {
  _comment: 'Written by scripts/render-variants.ts: variants of the bundled warning videos, with the decoder that accepted each at render time. See src/payload/variants/bundled-variants.ts.',
  payloads,
};
writeFileSync(join(OUT, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`wrote ${join(OUT, 'manifest.json')}`);
