import { spawnSync } from 'node:child_process';
import { PayloadError } from '../errors.ts';

/** Every external tool run is bounded in time and output. */
const TOOL_TIMEOUT_MS = 120_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Runs a tool (no shell) and returns its stdout; a non-zero exit is a PayloadError naming the tool. */
export function run(cmd: string, args: readonly string[], opts: { cwd?: string } = {}): string {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, timeout: TOOL_TIMEOUT_MS, maxBuffer: MAX_OUTPUT, encoding: 'utf8' });
  if (r.error) throw new PayloadError(`${cmd} failed to run: ${r.error.message}`);
  if (r.status !== 0) throw new PayloadError(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}: ${(r.stderr || '').trim().slice(0, 500)}`);
  return r.stdout;
}
