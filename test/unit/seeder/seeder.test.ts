import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { decode, getBytes, getInt, getDict, asDict } from '../../../src/bencode/index.ts';
import { Seeder, type SeederInit } from '../../../src/bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { decodeExtendedHandshake } from '../../../src/bittorrent/wire/extended.ts';
import { encodeMetadataRequest } from '../../../src/bittorrent/wire/metadata.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import type { DeliveryObservation, Observation } from '../../../src/domain/observation.ts';
import { RawPeer } from '../../helpers/raw-peer.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';
import { makeOwnPeerId } from '../../../src/bittorrent/wire/own-peer-id.ts';

const PEER_ID = new Uint8Array(Buffer.from('-TR3000-abcdefghijkl', 'latin1'));
const BLOCK = 16384;

async function startSeeder(overrides: Partial<SeederInit> = {}) {
  const t = testDecoy({ size: 100_000, pieceLength: 32_768 });
  const index = new TorrentIndex({ sourceFor: () => t.source, loadInfo: () => t.decoy.info, infoCacheSize: 1 });
  // Routed compactly, as a node that pages decoys from the store does: the info dict is loaded on demand.
  const { info, ...compact } = t.decoy;
  index.add({ ...compact, infoLength: info.length });
  const observations: Observation[] = [];
  const seeder = new Seeder({
    host: '127.0.0.1', port: 0, peerId: makeOwnPeerId('-qB5030-', 'libtorrent'), clientVersion: 'qBittorrent/5.0.3',
    maxConnections: 100, maxConnectionsPerIp: 10, uploadSlots: 4, uploadRate: 0, unchokeRotationMs: 30_000,
    handshakeTimeoutMs: 2000, idleTimeoutMs: 10_000, maxRequestQueue: 50, allowPlaintext: true, ...overrides,
  }, { index, publish: (o) => observations.push(o), now: Date.now });
  const { port } = await seeder.start();
  const infoHash = infoHashFromHex(t.decoy.infoHash);
  const waitObs = async (pred: (o: Observation) => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (Date.now() < deadline) {
      const o = observations.find(pred);
      if (o) return o;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no matching observation; have: ${JSON.stringify(observations.map((o) => ('reason' in o ? o.reason : o.kind === 'delivery' ? o.disconnectReason : o.kind)))}`);
  };
  return { ...t, seeder, port, infoHash, observations, waitObs };
}

/** Downloads every block through `peer` and returns the assembled content. */
async function downloadAll(peer: RawPeer, size: number, pieceLength: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let expected = 0;
  for (let off = 0; off < size; off += BLOCK) {
    const index = Math.floor(off / pieceLength);
    const begin = off - index * pieceLength;
    const pieceEnd = Math.min(size, (index + 1) * pieceLength);
    peer.send({ type: 'request', index, begin, length: Math.min(BLOCK, pieceEnd - off) });
    expected++;
  }
  await peer.waitUntil(() => peer.received.filter((m) => m.type === 'piece').length === expected, 5000, 'all pieces');
  for (const m of peer.received) if (m.type === 'piece') out.set(m.block, m.index * pieceLength + m.begin);
  return out;
}

describe('seeder over loopback', () => {
  let s: Awaited<ReturnType<typeof startSeeder>>;
  before(async () => { s = await startSeeder(); });
  after(async () => { await s.seeder.stop(); });

  it('serves a full download, advertises BEP 10 keys, and records one exact delivery', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'extended', id: 0, payload: new Uint8Array(Buffer.from('d1:md11:ut_metadatai3ee1:pi51413e1:v16:Transmission 3.0e')) });
    const ext = await peer.waitFor('extended');
    const h = decodeExtendedHandshake(ext.payload);
    // Issue 10 item 3: without a presented profile the seed answers as libtorrent 2.0 does (its ids, its keys).
    assert.deepEqual(Object.fromEntries(h.m), { lt_donthave: 7, share_mode: 8, upload_only: 3, ut_holepunch: 4, ut_metadata: 2, ut_pex: 1 });
    assert.equal(h.metadataSize, s.decoy.info.length);
    assert.equal(h.uploadOnly, true);
    assert.equal(h.v, 'qBittorrent/5.0.3');
    assert.deepEqual([...(h.yourip ?? [])], [127, 0, 0, 1]);
    assert.equal(h.reqq, 50);
    assert.deepEqual([...peer.handshake!.reserved], [0, 0, 0, 0, 0, 0x10, 0, 0x04]);
    await peer.waitFor('have-all');
    assert.deepEqual(new Uint8Array(peer.handshake!.infoHash), s.infoHash);

    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    const got = await downloadAll(peer, s.decoy.size, s.decoy.pieceLength);
    assert.equal(createHash('sha256').update(got).digest('hex'), s.decoy.contentSha256);
    for (let i = 0; i < s.decoy.pieceCount; i++) peer.send({ type: 'have', index: i });
    const localPort = peer.localPort;
    peer.close();

    const d = (await s.waitObs((o) => o.kind === 'delivery' && o.remotePort === localPort)) as DeliveryObservation;
    assert.equal(d.remoteIp, '127.0.0.1');
    assert.equal(d.bytesServed, s.decoy.size);
    assert.equal(d.blocksServed, Math.ceil(s.decoy.size / BLOCK));
    assert.deepEqual(d.servedRanges, [[0, s.decoy.size]]);
    assert.equal(d.completed, true);
    assert.equal(d.client, 'Transmission 3.00');
    assert.equal(d.clientVersion, 'Transmission 3.0');
    assert.equal(d.listenPort, 51413);
    assert.equal(d.metadataOnly, false);
    assert.equal(d.encryption, 'none');
    assert.equal(d.peerId, Buffer.from(PEER_ID).toString('hex'));
    assert.ok(d.endedAt >= d.startedAt);
    const keys = Object.keys(d).slice(1);
    assert.deepEqual(keys, [...keys].sort(), 'record keys in canonical order (evidence fast path)');
    // Upload-only: nothing we sent asks for data.
    assert.equal(peer.received.some((m) => m.type === 'interested' || m.type === 'request'), false);
    // ut_pex is advertised as libtorrent does, but no third party's address is ever relayed: no extended message beyond the handshake.
    assert.deepEqual(peer.received.filter((m) => m.type === 'extended').map((m) => m.type === 'extended' && m.id), [0]);
  });

  it('serves the info dict over BEP 9 and tags a metadata-only session', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'extended', id: 0, payload: new Uint8Array(Buffer.from('d1:md11:ut_metadatai3eee')) });
    await peer.waitFor('extended');
    peer.send({ type: 'extended', id: 2, payload: encodeMetadataRequest(0) }); // 2: our ut_metadata id, libtorrent's
    await peer.waitUntil(() => peer.received.filter((m) => m.type === 'extended').length >= 2, 5000, 'metadata');
    const msg = peer.received.filter((m) => m.type === 'extended')[1] as { id: number; payload: Uint8Array };
    assert.equal(msg.id, 3, 'replies on the id the peer chose');
    const tail = msg.payload.subarray(msg.payload.length - s.decoy.info.length);
    assert.equal(createHash('sha1').update(tail).digest('hex'), s.decoy.infoHash);
    const localPort = peer.localPort;
    peer.close();
    const d = (await s.waitObs((o) => o.kind === 'delivery' && o.remotePort === localPort)) as DeliveryObservation;
    assert.equal(d.metadataPiecesServed, 1);
    assert.equal(d.metadataOnly, true);
    assert.equal(d.bytesServed, 0);
    assert.equal(d.completed, false);
  });

  it('speaks MSE with RC4 when the peer requires it', async () => {
    const peer = await RawPeer.connect(s.port, { mse: { infoHash: s.infoHash, cryptoProvide: 0x02 } });
    await peer.sendHandshake(s.infoHash, PEER_ID);
    await peer.waitFor('have-all');
    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    const got = await downloadAll(peer, s.decoy.size, s.decoy.pieceLength);
    assert.equal(createHash('sha256').update(got).digest('hex'), s.decoy.contentSha256);
    const localPort = peer.localPort;
    peer.close();
    const d = (await s.waitObs((o) => o.kind === 'delivery' && o.remotePort === localPort)) as DeliveryObservation;
    assert.equal(d.encryption, 'mse-rc4');
    assert.equal(d.bytesServed, s.decoy.size);
  });

  it('sends a full bitfield (spare bits clear) to peers without the fast extension, and ignores requests while choked', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID, { extended: false, fast: false });
    const bf = await peer.waitFor('bitfield');
    assert.deepEqual([...bf.bitfield], [0b1111_0000]);
    peer.send({ type: 'request', index: 0, begin: 0, length: BLOCK });
    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    assert.equal(peer.received.some((m) => m.type === 'piece'), false);
    peer.close();
  });

  it('rejects requests while choked when the peer speaks the fast extension', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    await peer.waitFor('have-all');
    peer.send({ type: 'request', index: 1, begin: 0, length: BLOCK });
    const r = await peer.waitFor('reject');
    assert.deepEqual([r.index, r.begin, r.length], [1, 0, BLOCK]);
    peer.close();
  });
});

describe('seeder presenting Transmission 3.00 (issue 10 item 3)', () => {
  it('answers byte for byte as transmission-daemon 3.00 did on loopback: reserved bits, BEP 10 keys and ids, reqq, p', async () => {
    const s = await startSeeder({
      peerId: makeOwnPeerId('-TR3000-', 'transmission'), clientVersion: 'Transmission 3.00',
      presented: { handshakeStyle: 'transmission', reqq: 512, dhtBit: false },
    });
    try {
      const peer = await RawPeer.connect(s.port);
      await peer.sendHandshake(s.infoHash, PEER_ID);
      const ext = await peer.waitFor('extended');
      // Captured from Transmission 3.00 (bb6b5a062e) with PEX off; PEX on (its default) adds ut_pex 1 to m.
      const want = `d1:ei1e1:md11:ut_metadatai3e6:ut_pexi1ee13:metadata_sizei${s.decoy.info.length}e1:pi${s.port}e4:reqqi512e11:upload_onlyi1e1:v17:Transmission 3.00e`;
      assert.equal(Buffer.from(ext.payload).toString('latin1'), want);
      assert.deepEqual([...peer.handshake!.reserved], [0, 0, 0, 0, 0, 0x10, 0, 0x04]);
      const id = Buffer.from(peer.handshake!.peerId).toString('latin1');
      assert.match(id, /^-TR3000-[0-9a-z]{12}$/);
      // tr_peerIdInit: the 12 characters after the prefix sum to a multiple of 36 (base-36 digits).
      assert.equal([...id.slice(8)].reduce((n, c) => n + parseInt(c, 36), 0) % 36, 0);
      await peer.waitFor('have-all');
      // Transmission's ut_metadata id is 3: a request on it is answered.
      peer.send({ type: 'extended', id: 0, payload: new Uint8Array(Buffer.from('d1:md11:ut_metadatai9eee')) });
      peer.send({ type: 'extended', id: 3, payload: encodeMetadataRequest(0) });
      await peer.waitUntil(() => peer.received.some((m) => m.type === 'extended' && m.id === 9), 5000, 'metadata reply');
      peer.close();
    } finally {
      await s.seeder.stop();
    }
  });
});

describe('seeder against hostile peers', () => {
  let s: Awaited<ReturnType<typeof startSeeder>>;
  before(async () => { s = await startSeeder({ maxConnectionsPerIp: 3, handshakeTimeoutMs: 300, uploadRate: 1 }); });
  after(async () => { await s.seeder.stop(); });

  const reasonFor = async (port: number) => {
    const o = await s.waitObs((x) => (x.kind === 'delivery' || x.kind === 'rejected-connection') && x.remotePort === port);
    return o.kind === 'delivery' ? o.disconnectReason : o.kind === 'rejected-connection' ? o.reason : '';
  };

  it('drops an unknown infohash and records it', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(new Uint8Array(randomBytes(20)), PEER_ID);
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'unknown-infohash');
  });

  it('disconnects on an oversize length prefix without buffering it', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.writeRaw(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 7));
    await peer.waitClosed();
    assert.match(await reasonFor(peer.localPort), /^protocol:frame-too-long/);
  });

  it('treats an unsolicited piece as a violation and keeps nothing', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'piece', index: 0, begin: 0, block: new Uint8Array(BLOCK) });
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'protocol:unsolicited-piece');
  });

  it('disconnects a request flood beyond reqq', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    // uploadRate = 1 B/s: nothing drains, so the queue fills up.
    for (let i = 0; i < 60; i++) peer.send({ type: 'request', index: 0, begin: 0, length: BLOCK });
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'protocol:request-flood');
  });

  it('disconnects a peer that keeps requesting while choked', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    await peer.waitFor('have-all');
    for (let i = 0; i < 4 * 50 + 1; i++) peer.send({ type: 'request', index: 0, begin: 0, length: BLOCK });
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'protocol:requests-while-choked');
  });

  it('caps BEP 9 replies per session (upload amplification) even when the peer is not reading', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'extended', id: 0, payload: new Uint8Array(Buffer.from('d1:md11:ut_metadatai3eee')) });
    await peer.waitFor('have-all');
    peer.socket.pause();
    // 4 x pieces + 8 replies at most; the 13th request here is over the cap for a 1-piece info dict.
    for (let i = 0; i < 20; i++) peer.send({ type: 'extended', id: 2, payload: new Uint8Array(Buffer.from('d8:msg_typei0e5:piecei0ee')) });
    peer.socket.resume();
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'protocol:metadata-flood');
  });

  it('rejects out-of-range requests', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    peer.send({ type: 'interested' });
    await peer.waitFor('unchoke');
    peer.send({ type: 'request', index: 3, begin: 0, length: BLOCK }); // last piece is 1,696 bytes
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'protocol:bad-request:range');
  });

  it('records a connection closed before its first byte', async () => {
    const peer = await RawPeer.connect(s.port);
    peer.close();
    await peer.waitClosed();
    assert.equal(await reasonFor(peer.localPort), 'peer-closed-before-handshake');
  });

  it('times out a silent connection before the handshake', async () => {
    const peer = await RawPeer.connect(s.port);
    await peer.waitClosed(3000);
    assert.equal(await reasonFor(peer.localPort), 'handshake-timeout');
  });

  it('survives random garbage and keeps serving', async () => {
    for (let i = 0; i < 20; i++) {
      const peer = await RawPeer.connect(s.port);
      peer.writeRaw(new Uint8Array(randomBytes(1 + (i * 97) % 2000)));
      peer.close();
    }
    const ok = await RawPeer.connect(s.port);
    await ok.sendHandshake(s.infoHash, PEER_ID);
    await ok.waitFor('have-all');
    ok.close();
  });

  it('enforces the per-IP connection limit', async () => {
    const peers = await Promise.all([1, 2, 3, 4].map(() => RawPeer.connect(s.port, { localAddress: '127.0.0.9' })));
    await new Promise((r) => setTimeout(r, 100));
    const closed = peers.filter((p) => p.closed);
    assert.equal(closed.length, 1);
    assert.equal(await reasonFor(closed[0]!.localPort), 'limit:connections-per-ip');
    for (const p of peers) p.close();
  });
});

describe('seeder shutdown', () => {
  it('closes open sessions with reason "shutdown" and records them', async () => {
    const s = await startSeeder();
    const peer = await RawPeer.connect(s.port);
    await peer.sendHandshake(s.infoHash, PEER_ID);
    await peer.waitFor('have-all');
    await s.seeder.stop();
    const d = (await s.waitObs((o) => o.kind === 'delivery')) as DeliveryObservation;
    assert.equal(d.disconnectReason, 'shutdown');
    assert.equal(d.remotePort, peer.localPort);
  });
});

// Keeps the bencode accessors honest for the info dict the test decoy builds.
it('test decoy info dict is a valid single-file v1 info', () => {
  const t = testDecoy();
  const info = asDict(decode(t.decoy.info, { maxDepth: 4, maxItems: 100, maxStringLength: 1 << 20 }));
  assert.equal(getInt(info, 'length'), t.decoy.size);
  assert.equal(getBytes(info, 'pieces')?.length, 20 * t.decoy.pieceCount);
  assert.equal(getDict(info, 'files'), undefined);
});
