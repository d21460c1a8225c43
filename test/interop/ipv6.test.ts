/**
 * Interop over IPv6 (issue 10 item 2 and 4): libtorrent, aria2 and Transmission each download a decoy
 * from counterseed over IPv6 only, in the namespace's documentation addresses (2001:db8::/32 on lo,
 * like the 198.18.0.x plan): the node binds 2001:db8::2 (peer port, built-in tracker, announces), the
 * .torrent names the tracker's IPv6 URL (BEP 7 peers6), each client has its 2001:db8:: address, and the
 * delivery is recorded with the client's RFC 5952 address (asked for in an odd spelling) and the
 * seeder's IPv6 address. Clients at their defaults except what isolation needs. Run inside the namespace:
 *   scripts/netns-run.sh node --test --test-concurrency=1 test/interop/ipv6.test.ts
 */
import { test } from 'node:test';
import { assertFullDelivery, runCounterseedScenario, type ScenarioOptions } from '../helpers/clients/interop-scenario.ts';
import { ipv6Problem } from '../helpers/netns.ts';

const TIMEOUT_MS = 150_000;

for (const client of ['libtorrent', 'aria2', 'transmission'] as const) {
  test(`${client} downloads a decoy from counterseed over IPv6 (.torrent + built-in tracker's peers6)`, { timeout: TIMEOUT_MS + 60_000 }, async (t) => {
    const problem = ipv6Problem();
    if (problem !== null) { t.skip(`no IPv6 in this namespace: ${problem}`); return; }
    // Transmission 3.00 over IPv6 runs with uTP off. At its default (uTP on) it downloaded nothing here
    // in CI (peersConnected 0 for 150 s), while libtorrent fetched over uTP on IPv6 from the same node.
    // The likely cause is isolation, not the seeder: Transmission 3.00 opens its IPv6 UDP socket only
    // when it finds a global IPv6 address (by routing towards a public one, impossible in a namespace
    // with only lo), and with uTP failing it drops the TCP fallback (its bug #4033). Not yet confirmed
    // against its source: an open item of issue 10. Over IPv4 it runs at its default (transmission.test.ts).
    const o: ScenarioOptions = { client, mode: 'torrent', ipv6: true, timeoutMs: TIMEOUT_MS, ...(client === 'transmission' ? { tcpOnly: true } : {}) };
    assertFullDelivery(await runCounterseedScenario(o), o);
  });
}
