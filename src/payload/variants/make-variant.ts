import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PayloadError } from '../errors.ts';
import { buildPdf } from './pdf.ts';
import { buildTar } from './tar.ts';
import { buildZip } from './zip.ts';
import { run } from './tools.ts';

/** Where a frame for the image variants is taken: the first screen is fully drawn by then. */
const FRAME_AT_S = 3;

// Deterministic output: no metadata, bitexact muxers/encoders, one thread (see render-default-payload.sh).
const BITEXACT = ['-map_metadata', '-1', '-fflags', '+bitexact', '-flags', '+bitexact', '-threads', '1'];

/** ffmpeg arguments that remux (or, where the container needs another codec, transcode) the warning video. */
const VIDEO_ARGS: Readonly<Record<string, readonly string[]>> = {
  m4v: ['-c', 'copy', '-f', 'ipod'],
  mov: ['-c', 'copy', '-f', 'mov'],
  '3gp': ['-c', 'copy', '-f', '3gp'],
  mkv: ['-c', 'copy', '-f', 'matroska'],
  webm: ['-c:v', 'libvpx', '-b:v', '300k', '-deadline', 'good', '-cpu-used', '4', '-an', '-f', 'webm'],
  avi: ['-c', 'copy', '-f', 'avi'],
  // Constant quality and a key frame every 50 frames (as the default payload): still text
  // screens cost about a quarter of a fixed 400k/600k bit rate (default payload, 26 s: wmv 446 KB
  // instead of 1.66 MB, mpg 379 KB instead of 1.69 MB), which keeps the bundled variants small.
  wmv: ['-c:v', 'wmv2', '-q:v', '5', '-g', '50', '-an', '-f', 'asf'],
  mpg: ['-c:v', 'mpeg2video', '-q:v', '5', '-g', '50', '-an', '-f', 'vob'],
  flv: ['-c', 'copy', '-f', 'flv'],
  mp4: ['-c', 'copy', '-f', 'mp4', '-movflags', '+faststart'],
};
const IMAGE_ARGS: Readonly<Record<string, readonly string[]>> = {
  jpg: ['-q:v', '3', '-f', 'image2', '-c:v', 'mjpeg'],
  png: ['-f', 'image2', '-c:v', 'png'],
  gif: ['-f', 'gif'],
  bmp: ['-f', 'image2', '-c:v', 'bmp'],
};

export interface VariantSource {
  /** The registered warning video. */
  readonly videoPath: string;
  /** The warning as text (for .txt, .html and archives). */
  readonly text: string;
  /** File name of the video inside archives. */
  readonly videoName: string;
  /**
   * A variant rendered ahead of time (bundled with the default payload, its SHA-256 already
   * checked), used instead of running ffmpeg for a video or image format.
   */
  readonly rendered?: (format: string) => string | undefined;
}

/**
 * Writes the variant of `format` into `dir` and returns its path. Video is remuxed
 * with Debian's ffmpeg (issue 3 §1); images are a frame of the video; PDF, ZIP and
 * TAR are written here (small, dependency-free writers); text formats carry the text.
 */
export function makeVariant(format: string, src: VariantSource, dir: string): string {
  const out = join(dir, `variant.${format}`);
  const video = VIDEO_ARGS[format];
  const image = IMAGE_ARGS[format];
  const rendered = video || image ? src.rendered?.(format) : undefined;
  if (rendered !== undefined) { copyFileSync(rendered, out); return out; }
  if (video) { run('ffmpeg', ['-v', 'error', '-y', '-i', src.videoPath, ...video, ...BITEXACT, out]); return out; }
  if (image) { run('ffmpeg', ['-v', 'error', '-y', '-ss', frameAt(src.videoPath), '-i', src.videoPath, '-frames:v', '1', ...image, ...BITEXACT, out]); return out; }
  const enc = new TextEncoder();
  switch (format) {
    case 'pdf': {
      const jpg = makeVariant('jpg', src, dir);
      writeFileSync(out, buildPdf(new Uint8Array(readFileSync(jpg)), src.text));
      return out;
    }
    case 'txt': writeFileSync(out, enc.encode(src.text)); return out;
    case 'html': writeFileSync(out, enc.encode(html(src.text))); return out;
    case 'zip': case 'tar': {
      const files = [
        { name: src.videoName, data: new Uint8Array(readFileSync(src.videoPath)) },
        { name: 'README-WARNING.txt', data: enc.encode(src.text) },
      ];
      writeFileSync(out, format === 'zip' ? buildZip(files) : buildTar(files));
      return out;
    }
    default:
      throw new PayloadError(`cannot make a ${format} variant`);
  }
}

/**
 * The image variants' frame time: 3 s, or the middle of a shorter video (a frame past
 * the end gives ffmpeg nothing to write).
 */
function frameAt(videoPath: string): string {
  const duration = Number(run('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', videoPath]).trim());
  if (!(duration > 0)) return '0';
  return Math.min(FRAME_AT_S, duration / 2).toFixed(3);
}

function html(text: string): string {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return `<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>Warning from the police</title></head>\n<body><pre>${esc}</pre></body></html>\n`;
}
