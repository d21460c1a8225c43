import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { describe, it } from 'node:test';
import { ClockMonitor, probeClock } from '../../../src/evidence/clock.ts';
import type { ClockStatement } from '../../../src/evidence/record.ts';
import { clockOffset, encodeRequest, msToNtp, ntpToMs, offsetExceeds, parseReply, querySntp } from '../../../src/evidence/sntp.ts';

/** A fake SNTP server on 127.0.0.1 whose clock runs `skewMs` ahead; `mangle` can corrupt replies. */
async function fakeNtp(skewMs: number, mangle: (p: Uint8Array) => void = () => {}): Promise<{ port: number; close(): void; queries: number }> {
  const sock = createSocket('udp4');
  const state = { queries: 0 };
  sock.on('message', (msg, rinfo) => {
    state.queries++;
    const now = Date.now() + skewMs;
    const p = new Uint8Array(48);
    p[0] = (0 << 6) | (4 << 3) | 4;
    p[1] = 2;
    p.set(msg.subarray(40, 48), 24); // originate = client's transmit
    msToNtp(now, p, 32);
    msToNtp(now + 1, p, 40);
    mangle(p);
    sock.send(p, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, close: () => sock.close(), get queries() { return state.queries; } };
}

describe('SNTP (RFC 4330) and the clock monitor', () => {
  it('timestamps round-trip and the offset formula follows RFC 5905 section 8', () => {
    const b = new Uint8Array(48);
    msToNtp(1_764_000_000_123, b, 40);
    assert.ok(Math.abs(ntpToMs(b, 40) - 1_764_000_000_123) < 0.001);
    assert.deepEqual(clockOffset(1000, 1600, 1601, 1101), { offsetMs: 550, delayMs: 100 });
    assert.equal(offsetExceeds(-501, 500), true);
    assert.equal(offsetExceeds(499, 500), false);
  });

  it('measures the offset of a skewed fake server on 127.0.0.1', async () => {
    const srv = await fakeNtp(2000);
    try {
      const r = await querySntp({ host: '127.0.0.1', port: srv.port, timeoutMs: 2000 });
      assert.ok(Math.abs(r.offsetMs - 2000) < 200, `offset ${r.offsetMs}`);
      assert.equal(r.stratum, 2);
    } finally { srv.close(); }
  });

  it('rejects kiss-o\'-death, unsynchronized and unmatched replies', async () => {
    const req = encodeRequest(Date.now());
    const reply = () => { const p = new Uint8Array(48); p[0] = 0x24; p[1] = 2; p.set(req.subarray(40, 48), 24); return p; };
    assert.doesNotThrow(() => parseReply(reply(), req));
    const kod = reply(); kod[1] = 0;
    assert.throws(() => parseReply(kod, req), /kiss/);
    const unsync = reply(); unsync[0] = 0xe4;
    assert.throws(() => parseReply(unsync, req), /not synchronized/);
    const stray = reply(); stray[30] = stray[30]! ^ 1;
    assert.throws(() => parseReply(stray, req), /originate/);
    assert.throws(() => parseReply(new Uint8Array(20), req), /bytes/);
    const srv = await fakeNtp(0, (p) => { p[1] = 0; });
    try { await assert.rejects(querySntp({ host: '127.0.0.1', port: srv.port, timeoutMs: 2000 }), /kiss/); } finally { srv.close(); }
  });

  it('lab mode: records the clock at start and on change, never measures NTP', async () => {
    const recs: ClockStatement[] = [];
    let state = { source: 'tsc; systemd-timesyncd', syncState: 'synchronized' as const };
    let measured = 0;
    const m = new ClockMonitor({
      record: (s) => recs.push(s), probe: () => state, now: () => 5, warn: () => {},
      measure: async () => { measured++; throw new Error('must not be called'); },
    }, { mode: 'lab', intervalMs: 1e9, ntpMaxOffsetMs: 500 });
    await m.check();
    await m.check();
    assert.equal(recs.length, 1);
    assert.equal(recs[0]!.note, 'start');
    state = { ...state, syncState: 'unsynchronized' as never };
    await m.check();
    assert.equal(recs.length, 2);
    assert.equal(recs[1]!.syncState, 'unsynchronized');
    assert.equal(measured, 0);
    await m.stop();
  });

  it('live mode: records each measured offset and warns above the threshold (fake server on 127.0.0.1)', async () => {
    const srv = await fakeNtp(1500);
    const recs: ClockStatement[] = [];
    const warnings: string[] = [];
    try {
      const m = new ClockMonitor({
        record: (s) => recs.push(s), probe: () => ({ source: 'tsc; none seen', syncState: 'unsynchronized' }), now: Date.now, warn: (w) => warnings.push(w),
        measure: (signal) => querySntp({ host: '127.0.0.1', port: srv.port, timeoutMs: 2000, signal }),
      }, { mode: 'live', intervalMs: 1e9, ntpMaxOffsetMs: 500 });
      await m.check();
      await m.check();
      await m.stop();
    } finally { srv.close(); }
    assert.equal(recs.length, 2);
    assert.ok(Math.abs(recs[0]!.ntpOffsetMs! - 1500) < 200);
    assert.equal(recs[0]!.ntpServer, `127.0.0.1:${srv.port}`);
    assert.match(recs[0]!.note, /exceeds 500 ms/);
    assert.equal(warnings.length, 2);
  });

  it('probes clock state from files only', () => {
    const files: Record<string, string> = { '/sys/devices/system/clocksource/clocksource0/current_clocksource': 'kvm-clock\n', '/run/systemd/timesync/synchronized': '' };
    assert.deepEqual(probeClock((p) => files[p]), { source: 'kvm-clock; systemd-timesyncd', syncState: 'synchronized' });
    assert.deepEqual(probeClock(() => undefined), { source: 'unknown; none seen', syncState: 'unsynchronized' });
  });
});
