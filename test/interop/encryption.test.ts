/**
 * Interop: clients that REQUIRE encryption (MSE with RC4) download a decoy from
 * counterseed, and the delivery is recorded as 'mse-rc4'. libtorrent with
 * in/out_enc_policy = forced and allowed_enc_level = rc4; aria2 with
 * --bt-require-crypto=true --bt-min-crypto-level=arc4; Transmission with
 * encryption = 2 (required). Run inside the namespace:
 *   scripts/netns-run.sh node --test --test-concurrency=1 test/interop/
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertFullDelivery, runCounterseedScenario, type ScenarioOptions } from '../helpers/clients/interop-scenario.ts';

const TIMEOUT_MS = 240_000;

for (const client of ['libtorrent', 'aria2', 'transmission'] as const) {
  test(`${client} with encryption required downloads a decoy; the delivery is recorded as mse-rc4`, { timeout: TIMEOUT_MS + 60_000 }, async () => {
    const o: ScenarioOptions = { client, mode: 'torrent', requireEncryption: true, timeoutMs: TIMEOUT_MS };
    const d = assertFullDelivery(await runCounterseedScenario(o), o);
    assert.equal(d.encryption, 'mse-rc4');
  });
}
