import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { canonicalJson, type CanonicalValue } from '../evidence/canonical-json.ts';

export interface ToolInfo {
  readonly name: 'counterseed';
  readonly version: string;
  readonly runtime: string;
  /** The effective settings the export was made with. */
  readonly config: CanonicalValue;
  /** SHA-256 of canonicalJson(config): lets a reader check which configuration produced the evidence. */
  readonly config_sha256: string;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : 'unknown';
}

export function toolInfo(settings: object): ToolInfo {
  const config = JSON.parse(JSON.stringify(settings)) as CanonicalValue;
  return {
    name: 'counterseed', version: packageVersion(), runtime: `node ${process.version}`, config,
    config_sha256: createHash('sha256').update(canonicalJson(config), 'utf8').digest('hex'),
  };
}
