import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { literalLookup, UDP_SOCKET_BUFFER_BYTES, UdpPort } from '../../../src/bittorrent/udp/udp-port.ts';
import { encodePacket, ST_SYN } from '../../../src/bittorrent/utp/packet.ts';

test('one UDP port serves the DHT and uTP: datagrams are told apart by their first byte', async () => {
  const port = await UdpPort.bind('127.0.0.1', 0);
  const got: string[] = [];
  let done!: () => void;
  const all = new Promise<void>((r) => { done = r; });
  const seen = () => { if (got.length === 2) done(); };
  const krpc = port.attach('krpc', (m) => { got.push(`krpc:${m.toString('latin1', 0, 1)}`); seen(); });
  const utp = port.attach('utp', (m) => { got.push(`utp:${m[0]! >> 4}`); seen(); });
  assert.throws(() => port.attach('utp', () => {}), /already has a utp consumer/);
  const client = createSocket('udp4');
  const to = port.address();
  client.send(Buffer.from('d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:ping1:t2:aa1:y1:qe'), to.port, '127.0.0.1');
  client.send(Buffer.from([0xff, 0, 0]), to.port, '127.0.0.1'); // neither: dropped
  client.send(encodePacket({ type: ST_SYN, connectionId: 1, timestampUs: 0, timestampDiffUs: 0, wndSize: 0, seqNr: 1, ackNr: 0 }), to.port, '127.0.0.1');
  await all;
  assert.deepEqual(got.sort(), ['krpc:d', `utp:${ST_SYN}`]);
  // The socket stays open while one consumer is attached, and closes with the last.
  await krpc.close();
  assert.equal(port.has('krpc'), false);
  assert.equal(port.has('utp'), true);
  await utp.close();
  await new Promise<void>((r) => client.close(() => r()));
  assert.throws(() => port.address(), 'closed with its last consumer');
});

test('the shared UDP socket asks for a 4 MiB kernel buffer: the default (208 KiB) overflowed under 8 uTP downloaders', async (t) => {
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
  const logs: string[] = [];
  const port = await UdpPort.bind('127.0.0.1', 0, (m) => logs.push(m));
  try {
    // Linux grants min(asked, rmem_max) and reports twice that.
    const expected = 2 * Math.min(UDP_SOCKET_BUFFER_BYTES, rmemMax);
    assert.equal(port.receiveBufferBytes, expected);
    if (rmemMax < UDP_SOCKET_BUFFER_BYTES) {
      assert.match(logs.join('\n'), /net\.core\.rmem_max/, 'a capped buffer is reported with the sysctl that raises it');
      t.diagnostic(`net.core.rmem_max is ${rmemMax}: the buffer is capped, and the log says so`);
    } else {
      assert.deepEqual(logs, []);
    }
  } finally {
    await port.close();
  }
});

test('sends reach an address literal (answered without dns.lookup) and a host name (left to DNS)', async () => {
  const port = await UdpPort.bind('127.0.0.1', 0);
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  const got: string[] = [];
  const both = new Promise<void>((r) => sink.on('message', (m) => { got.push(m.toString()); if (got.length === 2) r(); }));
  port.send(Buffer.from('literal'), sink.address().port, '127.0.0.1');
  port.send(Buffer.from('name'), sink.address().port, 'localhost');
  await both;
  assert.deepEqual(got.sort(), ['literal', 'name']);
  await port.close();
  await new Promise<void>((r) => sink.close(() => r()));
});

test('an address literal is resolved at once (no tick per datagram), a host name through dns.lookup', async () => {
  const got: string[] = [];
  literalLookup('198.18.0.2', 4, (e, a, f) => got.push(`${e}:${a}:${f}`));
  literalLookup('2001:db8::2', 6, (e, a, f) => got.push(`${e}:${a}:${f}`));
  assert.deepEqual(got, ['null:198.18.0.2:4', 'null:2001:db8::2:6'], 'answered synchronously');
  const named = await new Promise<string>((resolve) => literalLookup('localhost', 4, (e, a, f) => resolve(`${e}:${a}:${f}`)));
  assert.equal(named, 'null:127.0.0.1:4');
  // And the port sends through it, both families.
  for (const [host, type] of [['127.0.0.1', 'udp4'], ['::1', 'udp6']] as const) {
    const port = await UdpPort.bind(host, 0);
    const sink = createSocket(type);
    await new Promise<void>((r) => sink.bind(0, host, r));
    const received = new Promise<string>((r) => sink.once('message', (m) => r(m.toString())));
    port.attach('krpc', () => {}).send(Buffer.from('d1:y1:qe'), sink.address().port, host);
    assert.equal(await received, 'd1:y1:qe');
    sink.close();
    await port.close();
  }
});
