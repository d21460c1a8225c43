import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as netServer } from 'node:net';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Shipper } from '../../../src/centre/shipper.ts';
import type { EvidenceLogTables } from '../../../src/evidence/log-store.ts';

async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

// Issue 12, catch-up >= 10x real time: a node must notice the centre's return within a small part of
// the outage. With the back-off capped at 30 s, a node whose centre was away for 10 s next asked at
// 15.75 s (5.75 s late); capped at 5 s, at 12.75 s.
test('after a 10 s outage the shipper asks again within 5 s of the centre\'s return (default back-off)', { timeout: 60_000 }, async () => {
  const port = await freePort();
  const { privateKey } = generateKeyPairSync('ed25519');
  const log = { count: () => 0, range: function* () { /* nothing recorded */ }, listCheckpoints: () => [] } as unknown as EvidenceLogTables;
  const stop = new AbortController();
  const shipper = new Shipper({ url: `http://127.0.0.1:${port}`, key: { privateKey, fingerprint: 'ab'.repeat(32) }, log });
  const started = performance.now();
  const running = shipper.run(stop.signal);
  let server: Server | undefined;
  try {
    await sleep(10_000);
    let firstAnswer = 0;
    server = createServer((_req, res) => { if (firstAnswer === 0) firstAnswer = performance.now(); res.writeHead(200, { 'content-type': 'application/json' }).end('{"acked":0,"gaps":[]}'); });
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const back = performance.now();
    for (let i = 0; i < 200 && firstAnswer === 0; i++) await sleep(50);
    assert.ok(firstAnswer > 0, 'the shipper came back at all');
    const late = (firstAnswer - back) / 1000;
    assert.ok(late <= 5.25, `asked again ${late.toFixed(2)} s after the return (outage ${((back - started) / 1000).toFixed(1)} s)`);
  } finally {
    stop.abort();
    await running;
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(null)));
  }
});
