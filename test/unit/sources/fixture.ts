import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '../../../src/config/load.ts';
import { openContext, type Context } from '../../../src/node/context.ts';
import type { SyntheticDelivery } from '../../../src/store/synthetic.ts';
import { SQLITE_STORE, type StoreFactory } from '../../helpers/store-factory.ts';

/**
 * A hand-made data directory for the sources and risk tests. Delivery ids are 1.. in the order below
 * (every session lasts 60 s unless said; times UTC, 2025):
 *
 *  id ip            decoy start           kind      remote port  listen  peer id (20 bytes of)
 *   1 203.0.113.7   1     01 Mar 12:00:00 complete  40001        5000    0x01   CGNAT-like address
 *   2 203.0.113.7   2     01 Mar 13:00:00 partial   40002        5000    0x01
 *   3 2001:db8::1   1     01 Mar 12:00:00 complete  50000        6000    0x03   IPv6
 *   4 192.0.2.20    1     02 Mar 09:00:00 partial   41000        7000    0x07   peer id 0x07 ...
 *   5 192.0.2.30    2     02 Mar 09:30:00 partial   42000        7000    0x07   ... again from another IP
 *   6 192.0.2.50    1     01 Mar 10:00:00 complete  43001        8000    0x09   the risk address R
 *   7 192.0.2.50    2     01 Mar 11:00:00 partial   43002        8000    0x09
 *   8 192.0.2.50    1     03 Mar 10:00:00 complete  43003        8000    0x09
 *   9 192.0.2.50    3     08 Mar 10:00:00 partial   43004        8000    0x09
 *  10 192.0.2.50    3     08 Mar 12:00:00 metadata  43005        8000    0x09   (left out of every risk factor)
 */
export const T0 = Date.UTC(2025, 2, 1, 12, 0, 0);
const at = (day: number, h: number, m = 0) => Date.UTC(2025, 2, day, h, m, 0);
export const R = '192.0.2.50';

export async function fixtureContext(f: StoreFactory = SQLITE_STORE): Promise<{ ctx: Context; dir: string; file: (name: string, text: string) => string; done: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'cs-sources-'));
  let dispose = async () => {};
  const ctx = openContext(loadSettings({ flags: { dataDir: join(dir, 'data') }, env: {} }), () => {}, (settings) => {
    const o = f.open(settings);
    dispose = o.dispose;
    return o.store;
  }, 'synthetic');
  ctx.store.intel.setPurpose('synthetic', 'test fixture', 0);
  const w = ctx.store.intel.syntheticWriter();
  const payloadId = ctx.payloads.list()[0]!.id;
  w.campaigns([{ id: 1, name: 'c1', perDay: 1, ttlDays: 90, createdAt: at(1, 0) }]);
  w.decoys([1, 2, 3].map((id) => ({
    id, infoHash: String(id).repeat(40), name: `holiday-video-000${id}.mp4`, payloadId, size: 100, pieceLength: 16384,
    createdAt: at(1, 0), status: 'active' as const, format: 'mp4', campaignId: 1, seq: id, lang: 'no', releasedAt: at(1, 0),
  })));
  let n = 0;
  const d = (ip: string, decoyId: number, start: number, kind: 'complete' | 'partial' | 'metadata', remotePort: number, listenPort: number, peer: number): SyntheticDelivery => ({
    sessionId: `s${++n}`, decoyId, infoHash: String(decoyId).repeat(40), remoteIp: ip, remotePort, localIp: '198.18.0.10', localPort: 6881,
    encryption: 'none', startedAt: start, endedAt: start + 60_000, peerId: new Uint8Array(20).fill(peer), client: 'qBittorrent', clientVersion: 'qBittorrent 4.6.7',
    listenPort, bytesServed: kind === 'complete' ? 100 : kind === 'partial' ? 40 : 0, piecesAtEnd: 0, completed: kind === 'complete', metadataOnly: kind === 'metadata',
    disconnectReason: 'peer-closed',
  });
  w.deliveries([
    d('203.0.113.7', 1, T0, 'complete', 40001, 5000, 1),
    d('203.0.113.7', 2, at(1, 13), 'partial', 40002, 5000, 1),
    d('2001:db8::1', 1, T0, 'complete', 50000, 6000, 3),
    d('192.0.2.20', 1, at(2, 9), 'partial', 41000, 7000, 7),
    d('192.0.2.30', 2, at(2, 9, 30), 'partial', 42000, 7000, 7),
    d(R, 1, at(1, 10), 'complete', 43001, 8000, 9),
    d(R, 2, at(1, 11), 'partial', 43002, 8000, 9),
    d(R, 1, at(3, 10), 'complete', 43003, 8000, 9),
    d(R, 3, at(8, 10), 'partial', 43004, 8000, 9),
    d(R, 3, at(8, 12), 'metadata', 43005, 8000, 9),
  ]);
  const file = (name: string, text: string) => { const p = join(dir, name); writeFileSync(p, text); return p; };
  return { ctx, dir, file, done: async () => { await ctx.close(); await dispose(); rmSync(dir, { recursive: true, force: true }); } };
}

export const GRADE = { source: 'Partner A', reliability: 'B', credibility: '2', importedBy: 'tester' } as const;
