/**
 * The uTP send path through a real UDP port, on both paths: the native batch addon (UDP GSO, else
 * sendmmsg; native/udp-batch) and Node's own socket.send (no addon, or COUNTERSEED_UDP_BATCH=off).
 * What reaches the peer must be the same datagrams, in the same order, whichever path sent them.
 */
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { test, type TestContext } from 'node:test';
import { loadUdpBatch, type UdpBatchAddon } from '../../../src/bittorrent/udp/udp-batch.ts';
import { UdpPort } from '../../../src/bittorrent/udp/udp-port.ts';
import { DEFAULT_MUX, UtpMultiplexer } from '../../../src/bittorrent/utp/multiplexer.ts';
import { encodePacket, ST_DATA, ST_FIN, ST_STATE, ST_SYN } from '../../../src/bittorrent/utp/packet.ts';

const addon = loadUdpBatch();
const PATHS: { name: string; batch: UdpBatchAddon | null; mode: string }[] = [
  { name: 'native batch', batch: addon ?? null, mode: 'gso' },
  { name: "Node's socket.send", batch: null, mode: 'off' },
];

async function receiver(): Promise<{ socket: Socket; port: number; got: Buffer[]; until(n: number): Promise<void> }> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  socket.setRecvBufferSize(4 << 20);
  const got: Buffer[] = [];
  socket.on('message', (m) => got.push(Buffer.from(m)));
  const until = async (n: number) => {
    const deadline = Date.now() + 5000;
    while (got.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  };
  return { socket, port: socket.address().port, got, until };
}

/** Datagrams of the sizes a uTP sender makes (full DATA packets, a short last one, acks), each filled with its index. */
function datagrams(sizes: number[]): Buffer[] { return sizes.map((n, i) => Buffer.alloc(n, i + 1)); }

function skipWithoutAddon(t: TestContext, batch: UdpBatchAddon | null, name: string): boolean {
  if (name === 'native batch' && !batch) { t.skip('native/udp-batch is not built on this machine (npm install builds it when a C compiler is there)'); return true; }
  return false;
}

for (const path of PATHS) {
  test(`${path.name}: datagrams queued for one peer in one turn arrive unchanged and in order`, async (t) => {
    if (skipWithoutAddon(t, path.batch, path.name)) return;
    const port = await UdpPort.bind('127.0.0.1', 0, undefined, path.batch);
    const rx = await receiver();
    try {
      assert.equal(port.batchMode, path.mode);
      const send = port.sender(rx.port, '127.0.0.1');
      // 1,400-byte runs (one GSO call each), a shorter one ending a run, a 20-byte ack alone, more runs.
      const sizes = [1400, 1400, 1400, 1400, 1400, 700, 20, 1400, 1400, 1400, 33, 1400];
      const sent = datagrams(sizes);
      for (const d of sent) send(d);
      if (path.batch) assert.equal(port.sendStats.batched + port.sendStats.single, 0, 'queued until the end of the turn');
      await rx.until(sent.length);
      assert.deepEqual(rx.got.map((d) => d.length), sizes);
      assert.deepEqual(rx.got, sent, 'the same bytes, in order');
      if (path.batch) {
        assert.equal(port.sendStats.batched, sent.length);
        assert.equal(port.sendStats.single, 0);
        // Runs: [1400 x5, 700], [20], [1400 x3, 33], [1400].
        assert.equal(port.sendStats.batchCalls, 4, 'one system call per run of equal-size datagrams');
      } else {
        assert.equal(port.sendStats.single, sent.length);
      }
    } finally {
      rx.socket.close();
      await port.close();
    }
  });

  test(`${path.name}: 1 MiB over uTP through the real port reaches a peer byte for byte`, async (t) => {
    if (skipWithoutAddon(t, path.batch, path.name)) return;
    const port = await UdpPort.bind('127.0.0.1', 0, undefined, path.batch);
    const mux = new UtpMultiplexer({ ...DEFAULT_MUX, localIp: '127.0.0.1', localPort: port.address().port }, {
      send: (d, p, ip) => port.send(d, p, ip), sender: (p, ip) => port.sender(p, ip),
      onAccept: (s) => { s.end(payload); },
    });
    const endpoint = port.attach('utp', (m, from) => mux.onDatagram(m, from));
    mux.start();
    const payload = Buffer.alloc(1 << 20);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7 + (i >> 11)) & 0xff;
    const client = createSocket('udp4');
    await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
    client.setRecvBufferSize(4 << 20);
    try {
      const to = port.address().port;
      // A minimal BEP 29 initiator: cumulative acks only, out-of-order packets dropped (the sender resends).
      const chunks: Buffer[] = [];
      let ack = -1;
      let fin = false;
      const ackNow = () => client.send(encodePacket({ type: ST_STATE, connectionId: 2001, timestampUs: 1, timestampDiffUs: 1, wndSize: 1 << 20, seqNr: 2, ackNr: ack }), to, '127.0.0.1');
      client.on('message', (m) => {
        const type = m[0]! >> 4;
        const seq = m.readUInt16BE(16);
        if (type === ST_STATE && ack < 0) {
          ack = (seq - 1) & 0xffff;
          // The first DATA packet confirms the connection (it acks the STATE's seq_nr - 1, BEP 29).
          client.send(encodePacket({ type: ST_DATA, connectionId: 2001, timestampUs: 1, timestampDiffUs: 1, wndSize: 1 << 20, seqNr: 2, ackNr: ack, payload: Uint8Array.from([1]) }), to, '127.0.0.1');
          return;
        }
        if ((type === ST_DATA || type === ST_FIN) && seq === ((ack + 1) & 0xffff)) {
          ack = seq;
          if (type === ST_DATA) chunks.push(Buffer.from(m.subarray(20)));
          else fin = true;
        }
        ackNow();
      });
      client.send(encodePacket({ type: ST_SYN, connectionId: 2000, timestampUs: 1, timestampDiffUs: 0, wndSize: 1 << 20, seqNr: 1, ackNr: 0 }), to, '127.0.0.1');
      const deadline = Date.now() + 20_000;
      while (!fin && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      assert.ok(fin, `the FIN arrived (${Buffer.concat(chunks).length} bytes so far)`);
      assert.ok(Buffer.concat(chunks).equals(payload), 'every byte, in order');
      if (path.batch) assert.ok(port.sendStats.batchCalls < port.sendStats.batched, `fewer system calls (${port.sendStats.batchCalls}) than datagrams (${port.sendStats.batched})`);
      else assert.equal(port.sendStats.batched, 0);
    } finally {
      client.close();
      mux.stop();
      await endpoint.close();
    }
  });
}

test('a route that refuses UDP GSO: that peer steps down to sendmmsg, says so once, and loses nothing; other peers keep GSO', async (t) => {
  if (!addon) { t.skip('native/udp-batch is not built on this machine'); return; }
  const rx = await receiver();
  const other = await receiver();
  // The real addon, except that a GSO send to rx fails as the kernel fails it when the segment exceeds the route's MTU (EINVAL).
  const noGso: UdpBatchAddon = { maxBatch: addon.maxBatch, send: (fd, f, a, p, d, seg) => seg > 0 && d.length > 1 && p === rx.port ? -22 : addon.send(fd, f, a, p, d, seg) };
  const logs: string[] = [];
  const port = await UdpPort.bind('127.0.0.1', 0, (m) => logs.push(m), noGso);
  try {
    const send = port.sender(rx.port, '127.0.0.1');
    const first = datagrams([1400, 1400, 1400, 20]);
    for (const d of first) send(d);
    await rx.until(first.length);
    assert.deepEqual(rx.got, first, 'the refused batch went out through Node');
    assert.match(logs.join('\n'), /a batched send failed \(errno 22\); sendmmsg for that peer from now on/);
    const calls = port.sendStats.batchCalls;
    const second = datagrams([1400, 1400, 64]);
    for (const d of second) send(d);
    await rx.until(first.length + second.length);
    assert.deepEqual(rx.got.slice(first.length), second);
    assert.equal(port.sendStats.batchCalls, calls + 1, 'one sendmmsg for the whole batch, no failed GSO try first');
    // Another peer still gets GSO, and the step-down was logged once.
    const sendOther = port.sender(other.port, '127.0.0.1');
    const third = datagrams([1400, 1400, 1400]);
    for (const d of third) sendOther(d);
    await other.until(third.length);
    assert.deepEqual(other.got, third);
    assert.equal(port.batchMode, 'gso');
    for (const d of datagrams([1400, 1400])) send(d);
    await rx.until(first.length + second.length + 2);
    assert.equal(logs.length, 1);
  } finally {
    rx.socket.close();
    other.socket.close();
    await port.close();
  }
});

test('arguments the addon refuses never reach the kernel: a TypeError, not a crash', (t) => {
  if (!addon) { t.skip('native/udp-batch is not built on this machine'); return; }
  assert.throws(() => addon.send(0, 4, 'not-an-ip', 9, [Buffer.alloc(1)], 0), /IPv4 literal/);
  assert.throws(() => addon.send(0, 4, '127.0.0.1', 70_000, [Buffer.alloc(1)], 0), /port/);
  assert.throws(() => addon.send(0, 4, '127.0.0.1', 9, [Buffer.alloc(10), Buffer.alloc(20)], 10), /segment bytes/);
  assert.throws(() => addon.send(0, 4, '127.0.0.1', 9, Array.from({ length: addon.maxBatch + 1 }, () => Buffer.alloc(1)), 0), /too many/);
  assert.throws(() => addon.send(0, 4, '127.0.0.1', 9, ['text' as unknown as Buffer], 0), /Buffers/);
  assert.throws(() => addon.send(0, 4, '127.0.0.1', 9, Array.from({ length: 50 }, () => Buffer.alloc(1400)), 1400), /65,507/);
});

test('IPv6: a port on ::1 batches to an IPv6 peer (AF_INET6 destination), byte for byte', async (t) => {
  if (!addon) { t.skip('native/udp-batch is not built on this machine'); return; }
  let port: UdpPort;
  try { port = await UdpPort.bind('::1', 0, undefined, addon); } catch (e) { t.skip(`no IPv6 loopback here: ${(e as Error).message}`); return; }
  const rx = createSocket({ type: 'udp6', ipv6Only: true });
  await new Promise<void>((r) => rx.bind(0, '::1', () => r()));
  const got: Buffer[] = [];
  rx.on('message', (m) => got.push(Buffer.from(m)));
  try {
    const send = port.sender(rx.address().port, '::1');
    const sent = datagrams([1400, 1400, 1400, 900]);
    for (const d of sent) send(d);
    const deadline = Date.now() + 5000;
    while (got.length < sent.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(got, sent);
    assert.equal(port.sendStats.batchCalls, 1);
    assert.equal(port.sendStats.single, 0, "nothing went through Node's path");
  } finally {
    rx.close();
    await port.close();
  }
});
