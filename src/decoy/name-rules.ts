/** BEP 3 sets no limit, but 255 bytes is the common file-name limit (ext4, NTFS, APFS): clients write info.name to disk. */
export const MAX_NAME_BYTES = 255;

// C0, DEL and C1 controls: invisible in client UIs and unsafe in file names.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;

/**
 * Why `name` cannot be a decoy's info.name, or undefined if it can. In single-file
 * mode (BEP 3) the name is the file name a client saves, so it must be one safe path
 * component.
 */
export function nameProblem(name: string): string | undefined {
  if (name.length === 0) return 'name is empty';
  if (name === '.' || name === '..') return `name cannot be "${name}"`;
  if (name.includes('/') || name.includes('\\')) return 'name contains a path separator (/ or \\)';
  const ctl = CONTROL.exec(name);
  if (ctl) return `name contains a control character (U+${ctl[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
  if (!name.isWellFormed()) return 'name is not valid Unicode (lone surrogate)';
  const bytes = Buffer.byteLength(name, 'utf8');
  if (bytes > MAX_NAME_BYTES) return `name is ${bytes} bytes in UTF-8, over the limit of ${MAX_NAME_BYTES}`;
  return undefined;
}
