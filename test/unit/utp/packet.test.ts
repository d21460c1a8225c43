import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodePacket, encodePacket, HEADER_BYTES, looksLikeUtp, MAX_SACK_BYTES, seqAdd, seqDiff, ST_DATA, ST_RESET, ST_STATE, ST_SYN, UtpPacketError,
} from '../../../src/bittorrent/utp/packet.ts';

test('a packet round-trips through the codec, SACK extension included', () => {
  const sack = Uint8Array.from([0b101, 0, 0, 0x80]);
  const bytes = encodePacket({ type: ST_STATE, connectionId: 0xbeef, timestampUs: 0xfffffff0, timestampDiffUs: 1234, wndSize: 1 << 20, seqNr: 65535, ackNr: 7, sack, payload: Uint8Array.from([1, 2, 3]) });
  assert.equal(bytes[0], (ST_STATE << 4) | 1, 'type << 4 | version 1');
  assert.equal(bytes[1], 1, 'first extension: selective ack');
  const p = decodePacket(bytes);
  assert.deepEqual({ ...p, sack: [...p.sack!], payload: [...p.payload] }, {
    type: ST_STATE, connectionId: 0xbeef, timestampUs: 0xfffffff0, timestampDiffUs: 1234, wndSize: 1 << 20, seqNr: 65535, ackNr: 7,
    sack: [0b101, 0, 0, 0x80], payload: [1, 2, 3],
  });
});

test('the decoder refuses what BEP 29 does not allow, with a reason', () => {
  const ok = encodePacket({ type: ST_DATA, connectionId: 1, timestampUs: 0, timestampDiffUs: 0, wndSize: 0, seqNr: 1, ackNr: 0 });
  const reason = (b: Uint8Array) => { try { decodePacket(b); return 'ok'; } catch (e) { assert.ok(e instanceof UtpPacketError); return e.reason; } };
  assert.equal(reason(ok), 'ok');
  assert.equal(reason(ok.subarray(0, HEADER_BYTES - 1)), 'short');
  assert.equal(reason(Uint8Array.from([0x02, ...ok.subarray(1)])), 'version');
  assert.equal(reason(Uint8Array.from([0x51, ...ok.subarray(1)])), 'type');
  const ext = (kind: number, next: number, len: number, body: number[]) => Uint8Array.from([ok[0]!, kind, ...ok.subarray(2, 20), next, len, ...body]);
  assert.equal(reason(ext(1, 0, 0, [])), 'sack-length', 'an empty SACK is refused');
  assert.equal(reason(ext(1, 0, 3, [1, 0, 0])), 'ok', 'libtorrent sends SACKs of any byte length');
  assert.equal(reason(ext(1, 0, 8, [0, 0, 0])), 'extension-truncated');
  // A chain of extensions longer than MAX_EXTENSIONS is refused, not walked.
  const chain = Uint8Array.from([ok[0]!, 2, ...ok.subarray(2, 20), ...Array.from({ length: 10 }, () => [2, 0]).flat(), 0, 0]);
  assert.equal(reason(chain), 'extensions');
});

test('a SACK longer than the ones we send is read whole (libtorrent describes up to its 1 MiB window)', () => {
  const sack = new Uint8Array(252).fill(0xff);
  const p = decodePacket(encodePacket({ type: ST_STATE, connectionId: 1, timestampUs: 0, timestampDiffUs: 0, wndSize: 0, seqNr: 0, ackNr: 0, sack }));
  assert.ok(p.sack!.length > MAX_SACK_BYTES);
  assert.equal(p.sack!.length, 252);
});

test('fuzz: random and mutated datagrams either decode within bounds or raise UtpPacketError', () => {
  let seed = 0x2545f491;
  const rnd = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 2 ** 32; };
  const base = encodePacket({ type: ST_STATE, connectionId: 9, timestampUs: 1, timestampDiffUs: 2, wndSize: 3, seqNr: 4, ackNr: 5, sack: new Uint8Array(4), payload: new Uint8Array(40) });
  let decoded = 0;
  for (let i = 0; i < 20_000; i++) {
    let d: Uint8Array;
    if (i % 2 === 0) { d = Uint8Array.from(base); for (let k = 0; k < 1 + Math.floor(rnd() * 4); k++) d[Math.floor(rnd() * d.length)] = Math.floor(rnd() * 256); }
    else { d = new Uint8Array(Math.floor(rnd() * 80)); for (let k = 0; k < d.length; k++) d[k] = Math.floor(rnd() * 256); if (d.length > 0 && rnd() < 0.5) d[0] = (Math.floor(rnd() * 5) << 4) | 1; }
    try {
      const p = decodePacket(d);
      decoded++;
      assert.ok(p.payload.length <= d.length - HEADER_BYTES);
      assert.ok(p.sack === null || (p.sack.length > 0 && p.sack.length <= 255), 'bounded by the one-byte extension length');
      assert.ok(p.type <= ST_SYN && p.wndSize >= 0 && p.seqNr <= 0xffff && p.ackNr <= 0xffff);
    } catch (e) {
      assert.ok(e instanceof UtpPacketError, `only UtpPacketError escapes: ${(e as Error).message}`);
    }
  }
  assert.ok(decoded > 1000, 'the fuzz reaches the decoder\'s accepting paths too');
});

test('sequence numbers compare modulo 2^16, and the first byte tells uTP from KRPC', () => {
  assert.equal(seqDiff(2, 65534), 4);
  assert.equal(seqDiff(65534, 2), -4);
  assert.equal(seqAdd(65535, 1), 0);
  assert.equal(looksLikeUtp((ST_SYN << 4) | 1), true);
  assert.equal(looksLikeUtp((ST_RESET << 4) | 1), true);
  assert.equal(looksLikeUtp(0x64), false, "'d' starts a bencoded KRPC message");
});

test('the byte-by-byte header writer round-trips extreme fields: u32 timestamps past 2^31, windows clamped to [0, 2^32-1]', async () => {
  const { writeHeaderFields } = await import('../../../src/bittorrent/utp/packet.ts');
  const cases: [number, number, number, number, number, number][] = [
    // connectionId, timestampUs, timestampDiffUs, wndSize, seqNr, ackNr
    [0xffff, 0xffffffff, 0x80000000, 2 ** 40, 0xffff, 0],
    [0, 0, 0, -5, 0, 0xffff],
    [0x1234, 0x89abcdef, 0x01020304, 0xfffffffe, 0x8000, 0x7fff],
  ];
  for (const [connectionId, timestampUs, timestampDiffUs, wndSize, seqNr, ackNr] of cases) {
    const b = Buffer.alloc(20);
    writeHeaderFields(b, ST_DATA, 0, connectionId, timestampUs, timestampDiffUs, wndSize, seqNr, ackNr);
    const p = decodePacket(b);
    assert.deepEqual([p.type, p.connectionId, p.timestampUs, p.timestampDiffUs, p.wndSize, p.seqNr, p.ackNr],
      [ST_DATA, connectionId, timestampUs, timestampDiffUs, Math.max(0, Math.min(wndSize, 0xffffffff)), seqNr, ackNr]);
  }
});
