/**
 * Interop: libtorrent (Debian package python3-libtorrent) downloads a decoy from counterseed's
 * seeder (a) from the exported .torrent through the built-in tracker and
 * (b) from the magnet link alone (tr= the built-in tracker, metadata by BEP 9),
 * and the store holds the one matching delivery. Run inside the namespace:
 *   scripts/netns-run.sh node --test --test-concurrency=1 test/interop/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFullDelivery, runCounterseedScenario, type ScenarioOptions } from '../helpers/clients/interop-scenario.ts';

const TIMEOUT_MS = 120_000;
/**
 * Issue 10's target is 1 s (libtorrent waited 3.8 s for a TCP-only seeder). The assertion allows
 * a loaded CI machine some slack; the printed figure is the measurement. A magnet adds the metadata round trips.
 */
const FIRST_PIECE_LIMIT_MS = 3000;

for (const mode of ['torrent', 'magnet'] as const) {
  test(`libtorrent downloads a decoy from counterseed (${mode === 'torrent' ? '.torrent + built-in tracker' : 'magnet only'})`, { timeout: TIMEOUT_MS + 60_000 }, async () => {
    const o: ScenarioOptions = { client: 'libtorrent', mode, timeoutMs: TIMEOUT_MS };
    const r = await runCounterseedScenario(o);
    assertFullDelivery(r, o);
    // Issue 10 item 4: libtorrent at its defaults prefers uTP; it reports the transport and the time to its first piece.
    assert.equal(r.outcome.transport, 'utp', `libtorrent reports uTP\n${r.outcome.log}`);
    assert.ok(r.outcome.firstPieceMs !== undefined, 'libtorrent reports its first piece');
    console.log(`# libtorrent ${mode}: transport ${r.outcome.transport}, first piece after ${r.outcome.firstPieceMs} ms (target <= 1000 ms)`);
    assert.ok(r.outcome.firstPieceMs <= FIRST_PIECE_LIMIT_MS, `first piece within ${FIRST_PIECE_LIMIT_MS} ms, got ${r.outcome.firstPieceMs}`);
  });
}
