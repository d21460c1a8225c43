import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { importSources, SourceFileError } from '../../../../src/app/sources-import.ts';
import { latestMatches, matchSources } from '../../../../src/app/sources-match.ts';
import { SqliteSourceStore } from '../../../../src/store/sqlite/sources/source-store.ts';
import { fixtureContext, GRADE } from '../../sources/fixture.ts';
import type { StoreFactory } from '../../../helpers/store-factory.ts';

const HEADER = 'ip,port,timestamp,timezone,action,file_name,reference,peer_id\n';
const row = (ip: string, port: string, ts: string, ref: string, zone = '', peer = '') => `${ip},${port},${ts},${zone},download,holiday-video-0042.mp4,${ref},${peer}\n`;

/** Which references matched which deliveries (or records), by which rule. */
const summary = (ms: readonly { reference: string; otherKind: string; otherId: number; rule: string }[]) =>
  ms.map((m) => `${m.reference} -> ${m.otherKind} ${m.otherId} ${m.rule}`).sort();

/** SourceStore contract (issue 14 §1-§2) on every store: imports kept apart with their provenance, all or nothing; the cross-matching rules. */
export function sourcesContract(factory: StoreFactory): void {
  describe(`SourceStore contract: ${factory.name}`, () => {
    it('import: provenance kept with the rows, apart from the evidence; invalid rows leave nothing; an abandoned import is removed', async () => {
      const f = await fixtureContext(factory);
      try {
        const deliveries = (await f.ctx.store.queryDeliveries()).length;
        const path = f.file('p.csv', HEADER + row('2001:DB8:0:0:0:0:0:1', '50000', '2025-03-01T13:00:30+01:00', 'P-1')
          + row('::ffff:192.0.2.20', '', '2025-03-02 10:00:10', 'P-2', 'Europe/Oslo', '07'.repeat(20)));
        const r = await importSources(f.ctx, { file: path, ...GRADE, receivedAt: Date.UTC(2025, 3, 1), note: 'request 17', batch: 1 }, Date.UTC(2025, 3, 2));
        assert.deepEqual([r.import.source, `${r.import.reliability}${r.import.credibility}`, r.import.rows, r.import.receivedAt, r.import.importedAt, r.import.importedBy, r.import.note],
          ['Partner A', 'B2', 2, Date.UTC(2025, 3, 1), Date.UTC(2025, 3, 2), 'tester', 'request 17']);
        assert.equal(r.import.fileSha256, createHash('sha256').update(readFileSync(path)).digest('hex'));
        assert.deepEqual(f.ctx.store.sources.records(r.import.id, 10).map((x) => [x.line, x.ip, x.port, x.at, x.timestampText, x.timezone, x.peerId]), [
          [2, '2001:db8::1', 50000, Date.UTC(2025, 2, 1, 12, 0, 30), '2025-03-01T13:00:30+01:00', null, null],
          [3, '192.0.2.20', null, Date.UTC(2025, 2, 2, 9, 0, 10), '2025-03-02 10:00:10', 'Europe/Oslo', '07'.repeat(20)],
        ]);
        assert.equal((await f.ctx.store.queryDeliveries()).length, deliveries, 'imported rows are not deliveries');
        await assert.rejects(importSources(f.ctx, { file: path, ...GRADE }), /imported already/);

        const bad = f.file('bad.csv', HEADER + row('192.0.2.20', '41000', '2025-03-02T09:00:30Z', 'OK') + row('192.0.2.999', '', '2025-03-02T09:00:30Z', 'BAD'));
        await assert.rejects(importSources(f.ctx, { file: bad, ...GRADE, batch: 1 }), (e: unknown) => e instanceof SourceFileError && e.problems[0]!.line === 3);
        const s = f.ctx.store.sources;
        const dead = s.beginImport({ source: 'x', receivedAt: 0, importedAt: 0, importedBy: 't', fileName: 'x.csv', format: 'csv', reliability: 'F', credibility: 6, note: '', pid: 2 ** 22 + 12345 });
        s.addRecords(dead, [{ line: 2, ip: '203.0.113.7', port: null, at: 1, timestampText: 't', timezone: null, action: 'a', fileHash: null, fileName: 'f', reference: 'r', peerId: null }]);
        assert.deepEqual(s.imports().map((i) => i.id), [r.import.id], 'a loading import is read by nothing');
        assert.equal(s.removeAbandoned((pid) => pid === process.pid), 1);
        assert.throws(() => s.addRecords(dead, [{ line: 2, ip: '203.0.113.7', port: null, at: 1, timestampText: 't', timezone: null, action: 'a', fileHash: null, fileName: 'f', reference: 'r', peerId: null }]),
          'rows of no import are refused');
        assert.deepEqual([s.records(dead, 10), s.records(r.import.id + 1, 10)], [[], []], 'nothing of the bad file, nothing of the dead import');
        assert.deepEqual(s.imports().map((i) => i.id), [r.import.id]);
      } finally { await f.done(); }
    });

    // 'bulk': the run drops the match table's indexes and builds them again (match-indexes.ts), as a large run does.
    for (const mode of ['indexes kept', 'bulk'] as const) it(`cross-matching (${mode}): CGNAT ports, time zones, window edges, IPv6 spellings, peer-id continuity (window 60 s)`, async () => {
      const f = await fixtureContext(factory);
      try {
        const store = f.ctx.store.sources;
        assert.ok(store instanceof SqliteSourceStore, 'both stores share the SQLite store\'s SQL');
        const indexes = store.bulkMatchFrom(mode === 'bulk' ? 0 : Infinity);
        const before = indexes.definitions();
        assert.deepEqual(before.map((i) => i.name), ['source_matches_ip', 'source_matches_run']);
        // Delivery 1: 203.0.113.7, remote port 40001, listen 5000, [12:00:00, 12:01:00] on 1 March 2025 UTC.
        await importSources(f.ctx, {
          file: f.file('p.csv', HEADER
            + row('203.0.113.7', '40001', '2025-03-01T12:00:30Z', 'PORT')                     // our connection's source port
            + row('203.0.113.7', '5000', '2025-03-01T12:00:30Z', 'LISTEN')                    // the peer's listen port
            + row('203.0.113.7', '40999', '2025-03-01T12:00:30Z', 'CGNAT')                    // same IP, another port: another subscriber
            + row('203.0.113.7', '', '2025-03-01T12:00:30Z', 'NOPORT')                        // no port: IP and time only
            + row('203.0.113.7', '40001', '2025-03-01T13:00:30+01:00', 'OFFSET')              // the same instant with an offset
            + row('203.0.113.7', '40001', '2025-03-01 13:00:30', 'ZONE', 'Europe/Oslo')       // and as Oslo wall-clock time
            + row('203.0.113.7', '40001', '2025-03-01T13:00:30Z', 'ZONE-WRONG')               // 13:00 UTC is an hour later: no match with delivery 1
            + row('203.0.113.7', '40001', '2025-03-01T11:59:00Z', 'EDGE-BEFORE')              // start - 60 s exactly: in
            + row('203.0.113.7', '40001', '2025-03-01T11:58:59.999Z', 'EDGE-BEFORE-OUT')      // 1 ms earlier: out
            + row('203.0.113.7', '40001', '2025-03-01T12:02:00Z', 'EDGE-AFTER')               // end + 60 s exactly: in
            + row('203.0.113.7', '40001', '2025-03-01T12:02:00.001Z', 'EDGE-AFTER-OUT')       // 1 ms later: out
            + row('2001:DB8:0000:0:0:0:0:0001', '50000', '2025-03-01T12:00:30Z', 'V6')        // delivery 3 at 2001:db8::1
            + row('2001:db8::2', '50000', '2025-03-01T12:00:30Z', 'V6-OTHER')                 // another address
            + row('::ffff:192.0.2.20', '41000', '2025-03-02T09:00:30Z', 'MAPPED', '', '07'.repeat(20)) // delivery 4, same peer id
            + row('198.51.100.9', '', '2025-03-02T09:30:30Z', 'PEER', '', '07'.repeat(20))    // peer id of delivery 5, from another IP
            + row('192.0.2.50', '', '2025-03-01T10:00:10Z', 'R', '', 'ff'.repeat(20))),        // delivery 6 (risk address), another peer id
          ...GRADE,
        });
        // A second source that saw 203.0.113.7:40001 too, 20 s later, and the CGNAT neighbour.
        await importSources(f.ctx, {
          file: f.file('q.csv', HEADER + row('203.0.113.7', '40001', '2025-03-01T12:00:50Z', 'Q-SAME') + row('203.0.113.7', '40555', '2025-03-01T12:00:50Z', 'Q-OTHER-PORT')),
          ...GRADE, source: 'Partner B', reliability: 'C', credibility: '3',
        });
        const r = matchSources(f.ctx, { windowS: 60 }, Date.UTC(2025, 5, 1));
        assert.equal(r.run.windowMs, 60_000);
        assert.equal(indexes.lastDropped, mode === 'bulk' ? 2 : 0);
        const got = summary(r.matches);
        const pairs: [string, string][] = [];
        for (const ref of ['PORT', 'OFFSET', 'ZONE', 'EDGE-BEFORE', 'EDGE-AFTER']) pairs.push([ref, 'delivery 1 ip+remote-port+time']);
        pairs.push(['LISTEN', 'delivery 1 ip+listen-port+time'], ['NOPORT', 'delivery 1 ip+time (no port)'], ['V6', 'delivery 3 ip+remote-port+time'],
          ['MAPPED', 'delivery 4 ip+remote-port+time'], ['PEER', 'delivery 5 peer-id+time'], ['R', 'delivery 6 ip+time (no port)']);
        // Source vs source: PORT, OFFSET, ZONE and Q-SAME share IP and port within 60 s; NOPORT has none; LISTEN/CGNAT have other ports.
        const q = f.ctx.store.sources.records(2, 10);
        const qSame = q.find((x) => x.reference === 'Q-SAME')!.id;
        const qOther = q.find((x) => x.reference === 'Q-OTHER-PORT')!.id;
        // (EDGE-AFTER at 12:02:00 is 70 s from Q-SAME at 12:00:50: out.)
        for (const ref of ['PORT', 'OFFSET', 'ZONE']) pairs.push([ref, `source ${qSame} ip+port+time`]);
        pairs.push(['Q-SAME', 'delivery 1 ip+remote-port+time']);
        pairs.push(['NOPORT', `source ${qSame} ip+time (no port)`], ['NOPORT', `source ${qOther} ip+time (no port)`]);
        assert.deepEqual(got, pairs.map(([a, b]) => `${a} -> ${b}`).sort());
        // No CGNAT neighbour, no wrong hour, nothing past the edges.
        for (const ref of ['CGNAT', 'ZONE-WRONG', 'EDGE-BEFORE-OUT', 'EDGE-AFTER-OUT', 'V6-OTHER', 'Q-OTHER-PORT']) assert.ok(!got.some((g) => g.startsWith(`${ref} `)), ref);
        // Each match names both records and the details a reader checks.
        const port = r.matches.find((m) => m.reference === 'PORT' && m.otherKind === 'delivery')!;
        assert.deepEqual([port.source, port.grade, port.line, port.sourceIp, port.sourcePort, port.otherNetwork, port.otherIp, port.otherPort, port.deltaMs],
          ['Partner A', 'B2', 2, '203.0.113.7', 40001, 'bittorrent', '203.0.113.7', 40001, 0]);
        assert.equal(r.matches.find((m) => m.reference === 'EDGE-BEFORE')!.deltaMs, -60_000);
        assert.equal(r.matches.find((m) => m.reference === 'EDGE-AFTER' && m.otherKind === 'delivery')!.deltaMs, 60_000);
        assert.equal(r.matches.find((m) => m.reference === 'MAPPED')!.peerIdContinuity, 'same');
        assert.equal(r.matches.find((m) => m.reference === 'R')!.peerIdContinuity, 'different');
        assert.equal(r.matches.find((m) => m.reference === 'PORT' && m.otherKind === 'delivery')!.peerIdContinuity, 'unknown');
        assert.equal(r.matches.find((m) => m.reference === 'PEER')!.otherIp, '192.0.2.30');
        // A window of 0: only times inside the session.
        const zero = matchSources(f.ctx, { windowS: 0 });
        assert.ok(!summary(zero.matches).some((g) => g.startsWith('EDGE-')));
        assert.ok(summary(zero.matches).includes('PORT -> delivery 1 ip+remote-port+time'));
        // The last run can be read again, filtered by IP in any spelling.
        const v6 = latestMatches(f.ctx, { ip: '[2001:0db8::0001]' });
        assert.deepEqual(summary(v6.matches), ['V6 -> delivery 3 ip+remote-port+time']);
        assert.deepEqual(indexes.definitions(), before, 'the match table keeps its indexes, as they were');
      } finally { await f.done(); }
    });
  });
}
