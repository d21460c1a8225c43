/**
 * Interop: transmission (Debian package transmission-daemon) downloads a decoy from counterseed's
 * seeder (a) from the exported .torrent through the built-in tracker and
 * (b) from the magnet link alone (tr= the built-in tracker, metadata by BEP 9),
 * and the store holds the one matching delivery. Run inside the namespace:
 *   scripts/netns-run.sh node --test --test-concurrency=1 test/interop/
 */
import { test } from 'node:test';
import { assertFullDelivery, runCounterseedScenario, type ScenarioOptions } from '../helpers/clients/interop-scenario.ts';

// Transmission asks for data only at its 10 s rechoke tick and, after fetching
// magnet metadata, may back off ~60 s before reconnecting (INTEROP-NOTES).
const TIMEOUT_MS = 240_000;

for (const mode of ['torrent', 'magnet'] as const) {
  test(`transmission downloads a decoy from counterseed (${mode === 'torrent' ? '.torrent + built-in tracker' : 'magnet only'})`, { timeout: TIMEOUT_MS + 60_000 }, async () => {
    const o: ScenarioOptions = { client: 'transmission', mode, timeoutMs: TIMEOUT_MS };
    assertFullDelivery(await runCounterseedScenario(o), o);
  });
}
