import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';

const dir = mkdtempSync(join(tmpdir(), 'cs-cli-ship-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => execFile(process.execPath, ['src/cli/main.ts', '--data', dir, ...args], (err, stdout, stderr) => resolve({ code: err ? (err as { code?: number }).code ?? 1 : 0, stdout, stderr })));
}

test('centre ship and centre pull: an unreachable centre is exit 74 with one line, no stack trace; no centre given is bad input', async () => {
  assert.equal((await cli(['init'])).code, 0);
  for (const cmd of ['ship', 'pull']) {
    const r = await cli(['centre', cmd, '--centre', 'http://127.0.0.1:1']);
    assert.equal(r.code, 74, `centre ${cmd}: ${r.stderr}`);
    assert.match(r.stderr, /centre http:\/\/127\.0\.0\.1:1/);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    const none = await cli(['centre', cmd]);
    assert.equal(none.code, 2, `centre ${cmd} without --centre: ${none.stderr}`);
  }
});
