import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { verifyPackage } from '../../../verifier/verify.mjs';
import { caseIri, indented, JSONLD_HEAD, JSONLD_SEP, JSONLD_TAIL, jsonLdNode, recordIri } from '../../../src/exports/case-jsonld.ts';
import { leafHash } from '../../../src/evidence/merkle.ts';
import { writeExportPackage, type ExportComponents } from '../../../src/exports/package-writer.ts';
import { toolInfo, type ToolInfo } from '../../../src/exports/tool-info.ts';
import type { LogFilter } from '../../../src/store/sqlite/evidence-log.ts';
import type { Observation } from '../../../src/domain/observation.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from '../evidence/fixture.ts';

type Node = Record<string, unknown> & { '@id': string; '@type'?: string };
interface Rec { seq: number; kind: string; obs: Record<string, unknown> }

/**
 * What the package says, checked against what was selected: the records, a proof for each, the
 * layouts the whole-file writer used (JSON.stringify(_, null, 1) for proofs.json and case.jsonld),
 * and for every delivery the CASE/UCO nodes that describe it. The verifier checks the rest
 * (hashes, proofs, the CSV against the records, the signatures).
 */
function assertPackage(dir: string, wantSeqs: readonly number[]): void {
  const text = (n: string) => readFileSync(join(dir, n), 'utf8');
  const lines = text('records.ndjson').split('\n').slice(0, -1);
  const records = lines.map((l) => JSON.parse(l) as Rec);
  const hashOf = new Map(records.map((r, i) => [r.seq, leafHash(Buffer.from(lines[i]!, 'utf8')).toString('hex')]));
  const node = (JSON.parse(text('manifest.json')) as { node: string }).node;
  const iri = (r: Rec, part: string) => recordIri(node, r.seq, hashOf.get(r.seq)!, part);
  assert.deepEqual(records.map((r) => r.seq), wantSeqs);
  const proofs = text('proofs.json');
  assert.equal(proofs, `${JSON.stringify(JSON.parse(proofs), null, 1)}\n`);
  assert.deepEqual((JSON.parse(proofs) as { proofs: { seq: number }[] }).proofs.map((p) => p.seq), wantSeqs);
  const jsonld = text('case.jsonld');
  assert.equal(jsonld, `${JSON.stringify(JSON.parse(jsonld), null, 1)}\n`);
  const graph = (JSON.parse(jsonld) as { '@graph': Node[] })['@graph'];
  const byId = new Map(graph.map((n) => [n['@id'], n]));
  assert.equal(byId.size, graph.length, 'node ids are unique');
  const facet = (n: Node | undefined) => (n?.['uco-core:hasFacet'] as Record<string, unknown>[])[0]!;
  const deliveries = records.filter((r) => r.kind === 'delivery');
  assert.equal(graph.filter((n) => n['@type'] === 'uco-observable:NetworkConnection').length, deliveries.length);
  for (const r of deliveries) {
    const d = r.obs as { remoteIp: string; remotePort: number; localIp: string; localPort: number; startedAt: number; endedAt: number; infoHash: string };
    const c = facet(byId.get(iri(r, 'connection')));
    const at = (o: unknown) => (o as { '@id': string }[])[0]!['@id'];
    assert.equal(facet(byId.get(at(c['uco-observable:src']))!)['uco-observable:addressValue'], d.remoteIp);
    assert.equal(facet(byId.get(at(c['uco-observable:dst']))!)['uco-observable:addressValue'], d.localIp);
    assert.deepEqual([c['uco-observable:sourcePort'], c['uco-observable:destinationPort']], [{ '@type': 'xsd:integer', '@value': d.remotePort }, { '@type': 'xsd:integer', '@value': d.localPort }]);
    assert.deepEqual([c['uco-observable:startTime'], c['uco-observable:endTime']], [d.startedAt, d.endedAt].map((ms) => ({ '@type': 'xsd:dateTime', '@value': new Date(ms).toISOString() })));
    const action = byId.get(iri(r, 'delivery'))!;
    assert.equal(byId.get((action['uco-action:instrument'] as { '@id': string })['@id'])?.['@type'], 'uco-tool:Tool');
    assert.equal(at(action['uco-action:object']), caseIri('decoy', `decoy/${d.infoHash}`));
    assert.ok(byId.has(caseIri('decoy', `decoy/${d.infoHash}`)));
    assert.match(String(byId.get(iri(r, 'provenance'))?.['uco-core:description']), new RegExp(`^record ${r.seq} of node [0-9a-f]{64}, record hash [0-9a-f]{64}`));
  }
  const v = verifyPackage(dir);
  assert.deepEqual(v.findings, []);
}

describe('streaming export writer', () => {
  let f: Awaited<ReturnType<typeof evidenceFixture>>;
  let components: ExportComponents;
  let n = 0;

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

  it('writes the selected records, their proofs and their CASE/UCO nodes, for selections small and large', async () => {
    const cases: [LogFilter, Record<string, string | number>][] = [
      [{ ip: '198.18.0.11' }, { ip: '198.18.0.11' }],
      [{ ip: '2001:db8::7' }, { ip: '2001:db8::7' }],
      [{ decoyId: 2 }, { decoy: 2 }], // a decoy id, whichever decoy it is
      [{ ip: '198.18.1.1' }, { ip: '198.18.1.1' }],
      [{ from: 0 }, { case: 'everything', from: '1970-01-01T00:00:00.000Z' }],
    ];
    let biggest = 0;
    for (const [filter, selection] of cases) {
      const out = join(f.dir, `streamed-${n++}`);
      const summary = await writeExportPackage(components, { filter, selection, out });
      // The selected records, and the clock records in effect for them.
      const picked = f.ev.table.select(filter, 1_000_000).map((r) => r.seq);
      const clock = f.ev.table.clockRecords(picked[0]!, picked.at(-1)!).map((r) => r.seq);
      const want = [...new Set([...picked, ...clock])].sort((x, y) => x - y);
      assertPackage(out, want);
      assert.equal(summary.records, want.length);
      biggest = Math.max(biggest, readFileSync(join(out, 'case.jsonld')).length);
    }
    assert.ok(biggest > 4 * 65_536, `the fixture should cross the flush size several times (case.jsonld ${biggest} bytes)`);
  });

  it('a streamed package verifies offline', async () => {
    const out = join(f.dir, 'verify-me');
    const s = await writeExportPackage(components, { filter: { from: 0 }, selection: { from: '1970-01-01T00:00:00.000Z' }, out });
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
