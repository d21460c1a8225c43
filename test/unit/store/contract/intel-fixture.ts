import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IpAssessor } from '../../../../src/analysis/enrichment/enricher.ts';
import { openContext, type Context } from '../../../../src/node/context.ts';
import { loadSettings } from '../../../../src/config/load.ts';
import type { Enrichment } from '../../../../src/domain/enrichment.ts';
import type { Store } from '../../../../src/store/store.ts';
import type { SyntheticDelivery } from '../../../../src/store/synthetic.ts';
import type { Settings } from '../../../../src/config/settings.ts';

/** How the suite gets an empty store of the kind under test (the data directory holds PURPOSE and payloads either way). */
export interface IntelStoreFactory {
  readonly name: string;
  open(settings: Settings): { store: Store; dispose(): Promise<void> };
}

/**
 * A tiny hand-made data directory for the statistics and cohort tests. Every expected value in
 * the tests is worked out from the rows below by hand.
 *
 * Addresses (the fake assessor places them):
 *   A 193.0.0.1  Norway, Oslo 0301 (county 03), AS2119      two devices
 *   B 193.0.0.2  Norway, Bergen 4601 (county 46), AS25400   also one tracker announce on Fri 10 Jan
 *   C 193.0.0.3  Sweden
 *   D 192.0.2.1  documentation address: not placeable
 *   E 193.0.0.5  Norway, Oslo: a crawler, metadata-only sessions only
 * Decoys: 1 = campaign 1, mp4, 'no', released Mon 6 Jan 2025 09:00; 2 = campaign 2, zip, 'en', released Mon 13 Jan 09:00. TTL 90 days.
 *
 *  #  ip  decoy  start (2025, UTC)   kind       bytes  client / port
 *  1  A   1      Mon 06 Jan 10:00    complete   100    qB 4.6 / 5000
 *  2  A   1      Mon 06 Jan 11:00    partial     40    qB 4.6 / 5000
 *  3  A   2      Tue 14 Jan 10:00    complete   100    Transmission 4.0 / 6000
 *  4  B   2      Tue 07 Jan 10:00    complete   100    qB 4.6 / 5001
 *  5  C   1      Wed 08 Jan 10:00    partial     10    qB 4.6 / 5002
 *  6  D   1      Wed 08 Jan 10:00    complete   100    qB 4.6 / 5003
 *  7  E   1      Wed 08 Jan 10:00    metadata     0    crawler / 6881
 *  8  E   2      Wed 15 Jan 12:00    metadata     0    crawler / 6881
 * Every session lasts 1 minute.
 */
export const IP = { A: '193.0.0.1', B: '193.0.0.2', C: '193.0.0.3', D: '192.0.2.1', E: '193.0.0.5' } as const;
const H = 3_600_000;
export const at = (day: number, hour: number) => Date.UTC(2025, 0, day) + hour * H;

const place: Record<string, Partial<Enrichment>> = {
  [IP.A]: { placeable: true, country: 'NO', countyNumber: '03', countyName: 'Oslo', municipalityNumber: '0301', municipalityName: 'Oslo', asn: 2119, asOrg: 'Telenor Norge AS' },
  [IP.B]: { placeable: true, country: 'NO', countyNumber: '46', countyName: 'Vestland', municipalityNumber: '4601', municipalityName: 'Bergen', asn: 25400, asOrg: 'Telia Norge AS' },
  [IP.C]: { placeable: true, country: 'SE', asn: 3301, asOrg: 'Telia Company AB' },
  [IP.D]: { placeable: false, notPlaceable: 'documentation (RFC 5737)' },
  [IP.E]: { placeable: true, country: 'NO', countyNumber: '03', countyName: 'Oslo', municipalityNumber: '0301', municipalityName: 'Oslo', asn: 2119, asOrg: 'Telenor Norge AS' },
};
export const fakeAssessor: IpAssessor = {
  databases: [{ name: 'hand-made test table', kind: 'city', buildDate: '2025-01-01T00:00:00Z', sha256: 'f'.repeat(64), source: 'test' }],
  enrich: (ip, when) => ({ ip, enrichedAt: when, placeable: false, caveats: [], databases: ['f'.repeat(64)], ...place[ip] }),
};

export async function fixtureContext(f: IntelStoreFactory): Promise<{ ctx: Context; done: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-intel-'));
  let dispose = async () => {};
  const ctx = openContext(loadSettings({ flags: { dataDir: join(dir, 'data') }, env: {} }), () => {}, (settings) => {
    const o = f.open(settings);
    dispose = o.dispose;
    return o.store;
  });
  ctx.store.intel.setPurpose('synthetic', 'test fixture', 0);
  const w = ctx.store.intel.syntheticWriter();
  const payloadId = ctx.payloads.list()[0]!.id;
  w.campaigns([1, 2].map((id) => ({ id, name: `c${id}`, perDay: 1, ttlDays: 90, createdAt: at(1, 0) })));
  const decoy = (id: number, format: string, lang: string, day: number) => ({
    id, infoHash: String(id).repeat(40).slice(0, 40), name: `holiday-video-000${id}.${format}`, payloadId, size: 100, pieceLength: 16384,
    createdAt: at(day, 9), status: 'active' as const, format, campaignId: id, seq: 0, lang, releasedAt: at(day, 9),
  });
  w.decoys([decoy(1, 'mp4', 'no', 6), decoy(2, 'zip', 'en', 13)]);
  let n = 0;
  const d = (ip: string, decoyId: number, start: number, kind: 'complete' | 'partial' | 'metadata', bytes: number, client: string, port: number): SyntheticDelivery => ({
    sessionId: `s${++n}`, decoyId, infoHash: String(decoyId).repeat(40).slice(0, 40), remoteIp: ip, remotePort: 40000 + n, localIp: '198.18.0.10', localPort: 6881,
    encryption: 'none', startedAt: start, endedAt: start + 60_000, peerId: new Uint8Array(20).fill(n), client: client.split(' ')[0]!, clientVersion: client,
    listenPort: port, bytesServed: bytes, piecesAtEnd: 0, completed: kind === 'complete', metadataOnly: kind === 'metadata', disconnectReason: 'peer-closed',
  });
  w.deliveries([
    d(IP.A, 1, at(6, 10), 'complete', 100, 'qB 4.6', 5000),
    d(IP.A, 1, at(6, 11), 'partial', 40, 'qB 4.6', 5000),
    d(IP.A, 2, at(14, 10), 'complete', 100, 'Transmission 4.0', 6000),
    d(IP.B, 2, at(7, 10), 'complete', 100, 'qB 4.6', 5001),
    d(IP.C, 1, at(8, 10), 'partial', 10, 'qB 4.6', 5002),
    d(IP.D, 1, at(8, 10), 'complete', 100, 'qB 4.6', 5003),
    d(IP.E, 1, at(8, 10), 'metadata', 0, 'crawler', 6881),
    d(IP.E, 2, at(15, 12), 'metadata', 0, 'crawler', 6881),
  ]);
  w.announces([{ at: at(10, 10), infoHash: '2'.repeat(40), decoyId: 2, remoteIp: IP.B, remotePort: 5001, peerId: new Uint8Array(20), event: 'started', left: 100 }]);
  w.finish();
  return { ctx, done: async () => { await ctx.close(); await dispose(); rmSync(dir, { recursive: true, force: true }); } };
}
