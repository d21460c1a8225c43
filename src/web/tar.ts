import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A POSIX ustar archive (POSIX.1-1988, pax's ustar format) of a package directory, so an approved
 * evidence package downloads as one file that `tar -xf` unpacks for `counterseed evidence verify`.
 * Regular files only, mtime 0 and owner 0: the same package gives the same bytes.
 * In memory: an approved request selects one case (a few MB); see app/context.ts for large jobs.
 */
const BLOCK = 512;

function header(path: string, size: number): Buffer {
  const h = Buffer.alloc(BLOCK);
  let name = path, prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = path.lastIndexOf('/', 155);
    if (cut < 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new RangeError(`path too long for ustar: ${path}`);
    prefix = path.slice(0, cut); name = path.slice(cut + 1);
  }
  const put = (s: string, at: number, len: number) => { h.write(s, at, len, 'utf8'); };
  const octal = (n: number, at: number, len: number) => put(`${n.toString(8).padStart(len - 1, '0')}\0`, at, len);
  put(name, 0, 100);
  octal(0o644, 100, 8); octal(0, 108, 8); octal(0, 116, 8); octal(size, 124, 12); octal(0, 136, 12);
  put('        ', 148, 8); // checksum field counts as spaces while summing
  put('0', 156, 1);
  put('ustar\0', 257, 6); put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

function files(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? files(dir, p) : e.isFile() ? [p] : [];
  });
}

export function tarDirectory(dir: string, root: string): Buffer {
  const parts: Buffer[] = [];
  for (const f of files(dir)) {
    const data = readFileSync(join(dir, f));
    parts.push(header(`${root}/${f}`, data.length), data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
