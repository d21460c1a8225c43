/**
 * Renders the localised warning payloads from assets/help-services.json (issue 3 §2):
 * for every `payloads` entry, assets/payloads/warning-<lang>.mp4 (+ .txt transcript).
 * Screen 1 (0-13 s) in the language, screen 2 (13-26 s) in English (English alone:
 * one 13 s screen); the help lines list the services of the payload's countries and
 * those for everywhere. Same encoder settings as scripts/render-default-payload.sh:
 * 640x360, 10 fps, H.264, no audio, +faststart, bitexact (same ffmpeg + fonts => same bytes).
 *
 *   node scripts/render-payloads.ts [--out DIR] [--lang xx ...]
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { progressBar } from '../src/cli/commands/campaign-progress.ts';
import { loadHelpServices, localizedPayloadPath, servicesFor, type HelpServices, type LocalizedPayload } from '../src/payload/localized.ts';

const FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const FONT_BOLD = '/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf';
/** Committed outputs must stay small. */
const MAX_OUTPUT_BYTES = 250 * 1024;
const W = 640;
const H = 360;

const { values } = parseArgs({ options: { out: { type: 'string' }, lang: { type: 'string', multiple: true } } });
const help = loadHelpServices();
const selected = help.payloads.filter((p) => !values.lang || values.lang.includes(p.lang));
if (selected.length === 0) throw new Error(`no payload for --lang ${values.lang?.join(',')}`);
for (const f of [FONT, FONT_BOLD]) if (!existsSync(f)) throw new Error(`${f} missing: apt-get install fonts-dejavu-core`);

interface Screen { title: string; body: string[]; help: string[]; fontSize: number }

/** Greedy word wrap at `width` characters. */
function wrap(s: string, width: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const w of s.split(/\s+/)) {
    if (line && line.length + 1 + w.length > width) { out.push(line); line = w; } else line = line ? `${line} ${w}` : w;
  }
  if (line) out.push(line);
  return out;
}

/** One screen's lines at the largest font size (17 down to 13 px) whose lines fit the frame. */
function screen(h: HelpServices, p: LocalizedPayload, lang: string): Screen {
  const t = h.languages.get(lang)!;
  const urls = servicesFor(h, p.countries).map((s) => s.url);
  for (let fs = 17; fs >= 13; fs--) {
    const width = Math.floor(600 / (fs * 0.6));
    const body = [...wrap(t.happened, width), '', ...wrap(t.known, width), '', ...wrap(t.crime, width)];
    const helpLines = [...wrap(t.help, width)];
    for (let i = 0; i < urls.length; i += 2) helpLines.push(urls.slice(i, i + 2).join('   ·   '));
    const lineH = Math.ceil(fs * 1.2) + 4;
    if (62 + body.length * lineH + 16 + helpLines.length * lineH <= H - 8) return { title: t.title, body, help: helpLines, fontSize: fs };
  }
  throw new Error(`${lang}: the warning text does not fit one screen; shorten it`);
}

function render(h: HelpServices, p: LocalizedPayload, outDir: string): { path: string; bytes: number } {
  const tmp = mkdtempSync(join(tmpdir(), 'cs-render-'));
  try {
    const screens = p.lang === 'en' ? [screen(h, p, 'en')] : [screen(h, p, p.lang), screen(h, p, 'en')];
    const filters: string[] = [];
    const transcript: string[] = [];
    screens.forEach((s, i) => {
      const [from, to] = [i * 13, (i + 1) * 13];
      const lang = i === 0 ? p.lang : 'en';
      const lineH = Math.ceil(s.fontSize * 1.2) + 4;
      const files = { title: join(tmp, `${i}-title.txt`), body: join(tmp, `${i}-body.txt`), help: join(tmp, `${i}-help.txt`) };
      writeFileSync(files.title, s.title);
      writeFileSync(files.body, s.body.join('\n'));
      writeFileSync(files.help, s.help.join('\n'));
      const helpY = H - 10 - s.help.length * lineH;
      // expansion=none: the text is literal (no %{...} expansion).
      const dt = (font: string, file: string, size: number, color: string, y: number) =>
        `drawtext=fontfile=${font}:textfile=${file}:expansion=none:fontsize=${size}:fontcolor=${color}:line_spacing=4:x=(w-text_w)/2:y=${y}:enable='between(t,${from},${to})'`;
      filters.push(dt(FONT_BOLD, files.title, 24, 'white', 18), dt(FONT, files.body, s.fontSize, 'white', 62), dt(FONT_BOLD, files.help, s.fontSize, '0xffd54a', helpY));
      transcript.push(`${h.languages.get(lang)!.name}, ${from}-${to} s`, '', s.title, '', ...s.body, '', ...s.help, '');
    });
    const duration = screens.length * 13;
    const out = join(tmp, 'out.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `color=c=0x14181f:s=${W}x${H}:r=10:d=${duration}`,
      '-vf', `${filters.join(',')},format=yuv420p`,
      '-map', '0:v', '-map_metadata', '-1', '-map_chapters', '-1',
      '-c:v', 'libx264', '-preset', 'veryslow', '-tune', 'stillimage', '-crf', '26', '-threads', '1', '-g', '50',
      '-pix_fmt', 'yuv420p', '-movflags', '+faststart', '-fflags', '+bitexact', '-flags:v', '+bitexact', out], { stdio: ['ignore', 'inherit', 'inherit'], timeout: 300_000 });
    const bytes = statSync(out).size;
    if (bytes > MAX_OUTPUT_BYTES) throw new Error(`${p.lang}: ${bytes} bytes, over the ${MAX_OUTPUT_BYTES}-byte budget for committed payloads`);
    const target = outDir === '' ? localizedPayloadPath(p.lang) : join(outDir, `warning-${p.lang}.mp4`);
    mkdirSync(dirname(target), { recursive: true });
    renameSync(out, target);
    writeFileSync(target.replace(/\.mp4$/, '.txt'), transcript.join('\n'));
    return { path: target, bytes };
  } finally { rmSync(tmp, { recursive: true, force: true }); }
}

const bar = progressBar('rendering payloads');
let done = 0;
for (const p of selected) {
  const r = render(help, p, values.out ?? '');
  process.stdout.write(`${r.path}  ${r.bytes} bytes\n`);
  bar.update(++done, selected.length);
}
