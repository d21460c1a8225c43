/**
 * uTP end to end on loopback, without a third-party client: a minimal BEP 29 initiator over a real UDP
 * socket reaches the seeder through the shared UDP port and the multiplexer, completes the BitTorrent
 * handshake, and the delivery is recorded with transport utp and the UDP source address and port.
 */
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { test } from 'node:test';
import { Seeder } from '../../../src/bittorrent/seeder/seeder.ts';
import { TorrentIndex } from '../../../src/bittorrent/seeder/torrent-index.ts';
import { UdpPort } from '../../../src/bittorrent/udp/udp-port.ts';
import { DEFAULT_MUX, UtpMultiplexer } from '../../../src/bittorrent/utp/multiplexer.ts';
import { decodePacket, encodePacket, ST_DATA, ST_FIN, ST_STATE, ST_SYN, type PacketFields } from '../../../src/bittorrent/utp/packet.ts';
import { encodeHandshake, makeReserved } from '../../../src/bittorrent/wire/handshake.ts';
import { infoHashFromHex } from '../../../src/domain/info-hash.ts';
import type { DeliveryObservation, Observation } from '../../../src/domain/observation.ts';
import { testDecoy } from '../../helpers/test-decoy.ts';

test('a uTP connection is served through the same seeder and recorded with transport utp', async () => {
  const t = testDecoy({ size: 100_000, pieceLength: 32_768 });
  const index = new TorrentIndex({ sourceFor: () => t.source, loadInfo: () => t.decoy.info, infoCacheSize: 1 });
  const { info, ...compact } = t.decoy;
  index.add({ ...compact, infoLength: info.length });
  const observations: Observation[] = [];
  const seeder = new Seeder({
    host: '127.0.0.1', port: 0, peerId: new Uint8Array(20).fill(0x41), clientVersion: 'test',
    maxConnections: 10, maxConnectionsPerIp: 10, uploadSlots: 4, uploadRate: 0, unchokeRotationMs: 30_000,
    handshakeTimeoutMs: 2000, idleTimeoutMs: 10_000, maxRequestQueue: 50, allowPlaintext: true,
  }, { index, publish: (o) => observations.push(o), now: Date.now });
  const at = await seeder.start();
  const udp = await UdpPort.bind('127.0.0.1', at.port);
  const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: at.host, localPort: at.port }, {
    send: (d, p, ip) => udp.send(d, p, ip), sender: (p, ip) => udp.sender(p, ip), onAccept: (s) => seeder.acceptStream(s),
  });
  const endpoint = udp.attach('utp', (m, from) => mux.onDatagram(m, from));
  mux.start();
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  try {
    const send = (f: Omit<PacketFields, 'timestampUs' | 'timestampDiffUs' | 'wndSize'>) =>
      client.send(encodePacket({ timestampUs: 1, timestampDiffUs: 0, wndSize: 1 << 20, ...f }), at.port, '127.0.0.1');
    const got: Buffer[] = [];
    let serverSeq = -1;
    let lastData = -1;
    const synAcked = new Promise<void>((resolve) => {
      client.on('message', (m) => {
        const p = decodePacket(m);
        if (p.type === ST_STATE && serverSeq < 0) { serverSeq = p.seqNr; resolve(); }
        if (p.type === ST_DATA) {
          lastData = p.seqNr;
          got.push(Buffer.from(p.payload));
          send({ type: ST_STATE, connectionId: 1001, seqNr: 3, ackNr: p.seqNr });
        }
      });
    });
    send({ type: ST_SYN, connectionId: 1000, seqNr: 1, ackNr: 0 });
    await synAcked;
    const hs = encodeHandshake({ reserved: makeReserved({ extended: true, fast: true }), infoHash: infoHashFromHex(t.decoy.infoHash), peerId: new Uint8Array(Buffer.from('-TR3000-utptestpeer0', 'latin1')) });
    send({ type: ST_DATA, connectionId: 1001, seqNr: 2, ackNr: (serverSeq - 1) & 0xffff, payload: hs });
    const deadline = Date.now() + 5000;
    while (Buffer.concat(got).length < 68 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const reply = Buffer.concat(got);
    assert.equal(reply.subarray(0, 20).toString('latin1'), '\x13BitTorrent protocol', 'the seeder answered the handshake over uTP');
    assert.equal(reply.subarray(28, 48).toString('hex'), t.decoy.infoHash);
    send({ type: ST_FIN, connectionId: 1001, seqNr: 3, ackNr: lastData });
    let d: DeliveryObservation | undefined;
    while (!d && Date.now() < deadline) {
      d = observations.find((o): o is DeliveryObservation => o.kind === 'delivery');
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.ok(d, `a delivery record: ${JSON.stringify(observations)}`);
    assert.equal(d.transport, 'utp');
    assert.equal(d.remoteIp, '127.0.0.1');
    assert.equal(d.remotePort, client.address().port, 'the UDP source port');
    assert.equal(d.localPort, at.port, 'the same port number as TCP');
    assert.equal(d.client, 'Transmission 3.00');
  } finally {
    client.close();
    mux.stop();
    await seeder.stop();
    await endpoint.close();
  }
});
