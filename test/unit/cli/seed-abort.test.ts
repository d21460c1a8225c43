import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { seed } from '../../../src/cli/commands/seed.ts';
import { loadSettings } from '../../../src/config/load.ts';

it('seed: a shutdown signal during start-up ends the command cleanly, with nothing left listening', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-seed-abort-'));
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  try {
    const shutdown = new AbortController();
    shutdown.abort();
    const out: string[] = [];
    const err: string[] = [];
    await seed.run({ options: {}, positionals: [] }, {
      out: (t) => out.push(t), err: (t) => err.push(t), signal: shutdown.signal,
      settings: loadSettings({ flags: { dataDir: data, port: String(port) }, env: {} }),
    });
    assert.deepEqual(out, [], 'never ready');
    // Log lines start with their UTC time (issue 15 item 12).
    assert.ok(err.some((l) => /^\S+Z stopped during start-up$/.test(l)), err.join('\n'));
    const again = createServer();
    await new Promise<void>((resolve, reject) => { again.once('error', reject); again.listen(port, '127.0.0.1', () => resolve()); });
    await new Promise<void>((r) => again.close(() => r()));
  } finally { rmSync(data, { recursive: true, force: true }); }
});
