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
    // Transmission 3.00 at its default (uTP on) too: it opens its IPv6 UDP socket, and so speaks uTP
    // over IPv6, only when it finds a global IPv6 address by routing towards a public one (its
    // tr-udp.c: `if (tr_globalIPv6(...)) rebind_ipv6(...)`); scripts/netns-run.sh gives the namespace
    // a default IPv6 route into lo for that (without it, Transmission connected to nobody for 150 s).
    const o: ScenarioOptions = { client, mode: 'torrent', ipv6: true, timeoutMs: TIMEOUT_MS };
    assertFullDelivery(await runCounterseedScenario(o), o);
  });
}
