import { PayloadError } from '../errors.ts';

/** Boxes that hold the sample tables, on the path moov/trak/mdia/minf/stbl (ISO/IEC 14496-12 §8). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);
/** Shifts a deployment may draw: 8 (an empty box) up to 8 + 16 KiB, so pieces of 16 KiB and more start elsewhere in the video. */
export const MAX_MP4_SHIFT = 8 + 16 * 1024;

/**
 * The MP4/MOV/3GP variant with a `free` box of `shift` bytes right after `ftyp` (issue 10 item 3).
 * Readers skip `free` boxes (§8.1.2); every chunk offset (`stco`, `co64`, §8.7.5) grows by `shift`,
 * so the file plays as before while every byte after `ftyp` moves. Two deployments with other
 * shifts then share no piece hash of the video (pieces cut it at other places), where before every
 * deployment's decoys carried the same first pieces. The box is filled with `fill`.
 */
export function shiftMp4(variant: Uint8Array, shift: number, fill: number): Uint8Array {
  if (!Number.isInteger(shift) || shift < 8 || shift > MAX_MP4_SHIFT) throw new RangeError(`mp4 shift ${shift} outside [8, ${MAX_MP4_SHIFT}]`);
  const v = Buffer.from(variant.buffer, variant.byteOffset, variant.byteLength);
  if (v.length < 8 || v.toString('latin1', 4, 8) !== 'ftyp') throw new PayloadError('MP4 variant does not start with an ftyp box');
  const ftypEnd = v.readUInt32BE(0);
  if (ftypEnd < 8 || ftypEnd > v.length) throw new PayloadError('MP4 variant: bad ftyp size');
  const out = Buffer.alloc(v.length + shift, fill);
  v.copy(out, 0, 0, ftypEnd);
  out.writeUInt32BE(shift, ftypEnd);
  out.write('free', ftypEnd + 4, 'latin1');
  v.copy(out, ftypEnd + shift, ftypEnd);
  let patched = 0;
  // Offsets in the copy: every box after ftyp sits `shift` bytes later.
  const walk = (from: number, to: number, depth: number) => {
    for (let p = from; p + 8 <= to;) {
      let size = out.readUInt32BE(p);
      const type = out.toString('latin1', p + 4, p + 8);
      let header = 8;
      if (size === 1) { size = Number(out.readBigUInt64BE(p + 8)); header = 16; }
      if (size === 0) size = to - p;
      if (size < header || p + size > to) throw new PayloadError(`MP4 variant: box ${type} at ${p - shift} overruns its parent`);
      if (CONTAINERS.has(type) && depth < 8) walk(p + header, p + size, depth + 1);
      else if (type === 'stco' || type === 'co64') { patchOffsets(out, p + header, p + size, type === 'co64', shift); patched++; }
      p += size;
    }
  };
  walk(ftypEnd + shift, out.length, 0);
  if (patched === 0) throw new PayloadError('MP4 variant has no chunk offset table (stco/co64)');
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

/** FullBox header (4), entry_count (4), then 32- or 64-bit absolute file offsets (§8.7.5). */
function patchOffsets(b: Buffer, from: number, to: number, wide: boolean, shift: number): void {
  const n = b.readUInt32BE(from + 4);
  const w = wide ? 8 : 4;
  if (from + 8 + n * w > to) throw new PayloadError('MP4 variant: chunk offset table overruns its box');
  for (let i = 0, at = from + 8; i < n; i++, at += w) {
    if (wide) b.writeBigUInt64BE(b.readBigUInt64BE(at) + BigInt(shift), at);
    else {
      const o = b.readUInt32BE(at) + shift;
      if (o > 0xffffffff) throw new PayloadError('MP4 variant: a chunk offset no longer fits 32 bits');
      b.writeUInt32BE(o, at);
    }
  }
}
