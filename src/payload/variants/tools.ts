import { spawnSync } from 'node:child_process';
import { PayloadError } from '../errors.ts';

/** Every external tool run is bounded in time and output. */
const TOOL_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

/** The Debian package that brings each tool the variants use. */
const PACKAGE: Readonly<Record<string, string>> = {
  ffmpeg: 'ffmpeg', ffprobe: 'ffmpeg', pdfinfo: 'poppler-utils', pdftoppm: 'poppler-utils', pdftotext: 'poppler-utils', unzip: 'unzip', tar: 'tar',
};

/** A tool the variants need is not installed: says which and how to get it. */
export class ToolMissingError extends PayloadError {
  override name = 'ToolMissingError';
  readonly tool: string;
  constructor(tool: string) {
    super(`${tool} is not installed; install it with: apt-get install ${PACKAGE[tool] ?? tool} (or run scripts/install-system-deps.sh as root)`);
    this.tool = tool;
  }
}

/** Runs a tool (no shell) and returns its stdout; a non-zero exit is a PayloadError naming the tool. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, timeout: TOOL_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new ToolMissingError(cmd);
  if (r.error) throw new PayloadError(`${cmd} failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new PayloadError(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}: ${(r.stderr || '').trim().slice(0, 500)}`);
  return r.stdout;
}
