import type { ArchiveFile } from './zip.ts';

/** A POSIX ustar archive (IEEE 1003.1 pax §ustar): 512-byte header + data blocks per file, two zero blocks. */
export function buildTar(files: readonly ArchiveFile[]): Uint8Array {
  const parts: Buffer[] = [];
  for (const f of files) {
    const h = Buffer.alloc(512);
    const name = Buffer.from(f.name, 'utf8');
    if (name.length > 100) throw new RangeError(`tar name over 100 bytes: ${f.name}`);
    name.copy(h, 0);
    h.write('0000644\0', 100, 'latin1'); h.write('0000000\0', 108, 'latin1'); h.write('0000000\0', 116, 'latin1');
    h.write(`${f.data.length.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
    h.write('00000000000\0', 136, 'latin1');
    h.write('        ', 148, 'latin1');
    h.write('0', 156, 'latin1');
    h.write('ustar\x0000', 257, 'latin1');
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
    parts.push(h, Buffer.from(f.data), Buffer.alloc((512 - (f.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return new Uint8Array(Buffer.concat(parts));
}
