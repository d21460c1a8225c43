import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'hono';
import { buildTar } from '../payload/variants/tar.ts';

/**
 * An approved evidence package as one ustar file (the project's tar writer, payload/variants/tar.ts),
 * so it downloads in one go and `tar -xf` unpacks it for `counterseed evidence verify`.
 * In memory: an approved request selects one case (a few MB); see app/context.ts for large jobs.
 */
function files(dir: string, rel = ''): string[] {
  return readdirSync(join(dir, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1)).flatMap((e) => {
    const p = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? files(dir, p) : e.isFile() ? [p] : [];
  });
}

export function tarDirectory(dir: string, root: string): Uint8Array {
  return buildTar(files(dir).map((f) => ({ name: `${root}/${f}`, data: readFileSync(join(dir, f)) })));
}

/** The response downloading `dir` as `${root}.tar` (an approved request's package: its use case has logged the disclosure). */
export function tarAttachment(c: Context, dir: string, root: string): Response {
  return c.body(tarDirectory(dir, root) as Uint8Array<ArrayBuffer>, 200, { 'content-type': 'application/x-tar', 'content-disposition': `attachment; filename="${root}.tar"` });
}
