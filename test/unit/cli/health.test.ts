import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { health } from '../../../src/cli/commands/health.ts';
import { loadSettings } from '../../../src/config/load.ts';
import { openContext } from '../../../src/node/context.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';

it('health: a delivery a few seconds ago is counted in the current bucket of its address line', async () => {
  const data = mkdtempSync(join(tmpdir(), 'cs-health-'));
  try {
    const settings = loadSettings({ flags: { dataDir: data }, env: {} });
    const ctx = openContext(settings, () => {});
    const [d] = await ctx.store.listDecoys();
    const payload = ctx.store.listPayloads()[0]!;
    const [decoy] = d ? [d] : await ctx.store.insertDecoys([{
      infoHash: '1'.repeat(40), name: 'holiday-video-0042.mp4', payloadId: payload.id, size: payload.size, pieceLength: 16384,
      pieceCount: Math.ceil(payload.size / 16384), info: new Uint8Array([1]), contentSha256: payload.id,
    }], Date.now());
    const at = Date.now() - 5000;
    await ctx.store.appendObservations([sampleDelivery(decoy!.id, decoy!.infoHash, { startedAt: at, endedAt: at + 1, localIp: '198.18.0.2' })]);
    await ctx.close();
    const out: string[] = [];
    await health.run({ options: { hours: '3', bucket: '60' }, positionals: [] }, { out: (t) => out.push(t), err: () => {}, settings, signal: new AbortController().signal });
    const line = out.find((l) => l.includes('198.18.0.2'));
    assert.ok(line, out.join('\n'));
    const counts = line.trim().split(/\s+/).slice(-4);
    assert.equal(counts.length, 4);
    assert.deepEqual(counts.slice(-1), ['1'], `the newest bucket holds the delivery: ${line}`);
    assert.equal(counts.map(Number).reduce((a, b) => a + b, 0), 1);
  } finally { rmSync(data, { recursive: true, force: true }); }
});
