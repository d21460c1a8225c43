import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyPackage } from '../../../verifier/verify.mjs';
import { indented, JSONLD_HEAD, JSONLD_SEP, JSONLD_TAIL, jsonLdNode } from '../../../src/exports/case-jsonld.ts';
import { writeExportPackage, type ExportComponents } from '../../../src/exports/package-writer.ts';
import { toolInfo, type ToolInfo } from '../../../src/exports/tool-info.ts';
import type { LogFilter } from '../../../src/store/sqlite/evidence-log.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from '../evidence/fixture.ts';
import { referenceWriteExportPackage } from './reference-writer.ts';

/** Every file of two package directories, byte for byte. */
function assertSamePackage(a: string, b: string): void {
  const names = readdirSync(a).sort();
  assert.deepEqual(readdirSync(b).sort(), names);
  assert.ok(names.includes('case.jsonld') && names.includes('manifest.sig'));
  for (const n of names) assert.ok(readFileSync(join(a, n)).equals(readFileSync(join(b, n))), `${n} differs`);
}

describe('streaming export writer', () => {
  let f: Awaited<ReturnType<typeof evidenceFixture>>;
  let components: ExportComponents;
  let n = 0;
  const both = async (filter: LogFilter, selection: Record<string, string | number>) => {
    const streamed = join(f.dir, `streamed-${n}`);
    const reference = join(f.dir, `reference-${n++}`);
    const s = await writeExportPackage(components, { filter, selection, out: streamed });
    const r = await referenceWriteExportPackage(components, { filter, selection, out: reference });
    assert.deepEqual(s, r);
    return { streamed, reference, summary: s };
  };

  before(async () => {
    f = await evidenceFixture({ deliveries: 40 });
    const [ha, hb] = f.infoHashes as [string, string];
    // Enough records that every file crosses the writer's 64 KiB flush several times, with
    // multi-byte text and an IPv6 peer.
    const id = (h: string) => Number(f.store.database.prepare('SELECT id FROM decoys WHERE info_hash = ?').get(h)!.id);
    const more: Observation[] = [];
    for (let i = 0; i < 400; i++) {
      more.push(sampleDelivery(i % 2 === 0 ? id(ha) : id(hb), i % 2 === 0 ? ha : hb, {
        remoteIp: i % 5 === 0 ? '2001:db8::7' : `198.18.1.${i % 7}`, remotePort: 41_000 + i,
        client: i % 3 === 0 ? 'Überclient 2.0 “quoted”, 客户端 🎬' : 'Transmission 3.00',
        startedAt: 1_764_000_100_000 + i * 1000, endedAt: 1_764_000_100_500 + i * 1000,
      }));
    }
    await f.store.appendObservations(more);
    f.ev.log.append([{ kind: 'clock', at: 1_764_000_300_000, source: 'tsc; test', syncState: 'synchronized', ntpOffsetMs: 3, ntpServer: 'ntp.example', note: 'later' }]);
    components = {
      table: f.ev.table, log: f.ev.log, key: f.ev.key, getDecoy: (id) => f.store.getDecoy(id),
      tool: toolInfo({ mode: 'lab', port: 6881 }), now: () => 1_764_000_200_000,
    };
  });

  it('writes byte for byte what the in-memory writer wrote, for selections small and large', async () => {
    const cases: [LogFilter, Record<string, string | number>][] = [
      [{ ip: '198.18.0.11' }, { ip: '198.18.0.11' }],
      [{ ip: '2001:db8::7' }, { ip: '2001:db8::7' }],
      [{ decoyId: 2 }, { decoy: 2 }], // a decoy id, whichever decoy it is
      [{ ip: '198.18.1.1' }, { ip: '198.18.1.1' }],
      [{ from: 0 }, { case: 'everything', from: '1970-01-01T00:00:00.000Z' }],
    ];
    let biggest = 0;
    for (const [filter, selection] of cases) {
      const { streamed, reference, summary } = await both(filter, selection);
      assertSamePackage(streamed, reference);
      biggest = Math.max(biggest, readFileSync(join(streamed, 'case.jsonld')).length);
      assert.ok(summary.records > 0);
    }
    assert.ok(biggest > 4 * 65_536, `the fixture should cross the flush size several times (case.jsonld ${biggest} bytes)`);
  });

  it('a streamed package verifies offline', async () => {
    const out = join(f.dir, 'verify-me');
    const s = await writeExportPackage(components, { filter: { from: 0 }, selection: { from: 'all' }, out });
    assert.ok(s.deliveries > 400);
    const r = verifyPackage(out);
    assert.deepEqual(r.findings, []);
    assert.equal(r.ok, true);
  });

  it('leaves nothing behind when writing fails part way', async () => {
    const out = join(f.dir, 'failed');
    const tool = { ...components.tool, toJSON: () => { throw new Error('disk full (simulated)'); } } as unknown as ToolInfo;
    await assert.rejects(writeExportPackage({ ...components, tool }, { filter: { from: 0 }, selection: { from: 'all' }, out }), /simulated/);
    assert.equal(existsSync(out), false);
  });

  it('lays out JSON-LD nodes exactly as JSON.stringify(graph, null, 1)', () => {
    const nodes = [
      { '@id': 'kb:a', list: [], obj: {}, nested: [{ x: [1, [2, []]], s: 'line\nbreak "q" \u2028' }], n: null },
      { '@id': 'kb:b', v: { '@type': 'xsd:integer', '@value': 7 } },
      { '@id': 'kb:c' },
    ];
    const ctxText = JSON.stringify({ ...JSON.parse(JSONLD_HEAD.replace(/,\n "@graph": \[\n$/, '}')), '@graph': nodes }, null, 1);
    assert.equal(JSONLD_HEAD + nodes.map(jsonLdNode).join(JSONLD_SEP) + JSONLD_TAIL, `${ctxText}\n`);
    assert.equal(indented([], 3), '   []');
    assert.equal(indented({ a: [1] }, 1), ' {\n  "a": [\n   1\n  ]\n }');
  });
});
