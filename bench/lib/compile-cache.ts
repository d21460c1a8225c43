import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Warms Node's compile cache as `npm install` does (the package's prepare script), with this
 * process's node first on PATH. A benchmark that starts bin/counterseed calls it first: a source
 * changed since the last install would otherwise make that start load the TypeScript stripper
 * (more RSS, slower start), which operators never see.
 */
export function warmCompileCache(repo: string): void {
  const prepare = (JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { scripts: { prepare: string } }).scripts.prepare;
  execFileSync('sh', ['-c', prepare], { cwd: repo, stdio: 'inherit', env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` } });
}
