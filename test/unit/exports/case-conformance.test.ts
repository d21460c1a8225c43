import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { JSONLD_HEAD, JSONLD_SEP, JSONLD_TAIL, jsonLdNode, recordIri } from '../../../src/exports/case-jsonld.ts';
import { writeExportPackage } from '../../../src/exports/package-writer.ts';
import { toolInfo } from '../../../src/exports/tool-info.ts';
import type { LogFilter } from '../../../src/store/sqlite/evidence-log.ts';
import { jsonLdQuads, validateCaseQuads, type ShaclFinding } from '../../helpers/case-shacl.ts';
import { sampleDelivery } from '../../helpers/sample-observations.ts';
import { evidenceFixture } from '../evidence/fixture.ts';

type Fixture = Awaited<ReturnType<typeof evidenceFixture>>;
type Node = Record<string, unknown> & { '@id': string };

/**
 * case.jsonld against the public CASE 1.4.0 and UCO 1.4.0 ontologies (vendored under
 * test/fixtures/ontology/), judged as the CASE community's validator judges a file: any
 * violation or warning fails. Info results are counted too, so the IRI advisory (end in a UUID)
 * is kept as well.
 */
const show = (fs: ShaclFinding[]) => fs.map((f) => `${f.severity} ${f.component} on ${f.focus}: ${f.message}`).join('\n');
const graphOf = (text: string) => (JSON.parse(text) as { '@graph': Node[] })['@graph'];
const doc = (nodes: object[]) => JSONLD_HEAD + nodes.map(jsonLdNode).join(JSONLD_SEP) + JSONLD_TAIL;

describe('case.jsonld conforms to CASE/UCO 1.4.0', () => {
  let a: Fixture;
  let b: Fixture;
  let n = 0;
  const exported = async (f: Fixture, filter: LogFilter, now = 1_764_000_200_000) => {
    const out = join(f.dir, `case-${n++}`);
    await writeExportPackage(
      { table: f.ev.table, log: f.ev.log, key: f.ev.key, getDecoy: (id) => f.store.getDecoy(id), tool: toolInfo({ mode: 'lab' }), now: () => now },
      { filter, selection: { case: 'conformance' }, out },
    );
    return readFileSync(join(out, 'case.jsonld'), 'utf8');
  };

  before(async () => {
    a = await evidenceFixture();
    b = await evidenceFixture();
    const id = (f: Fixture) => Number(f.store.database.prepare('SELECT id FROM decoys WHERE info_hash = ?').get(f.infoHashes[0]!)!.id);
    // An IPv6 peer.
    await a.store.appendObservations([sampleDelivery(id(a), a.infoHashes[0]!, { remoteIp: '2001:db8::7', localIp: '2001:db8::2', encryption: 'none' })]);
  });

  it('the validator finds what UCO forbids (so a clean result means something)', async () => {
    const text = doc([
      { '@id': 'kb:hash-4c2b2a4e-1b7f-5b0a-9a4e-000000000001', '@type': 'uco-types:Hash',
        'uco-types:hashMethod': { '@type': 'uco-vocabulary:HashNameVocab', '@value': 'SHA256' }, 'uco-types:hashValue': { '@type': 'xsd:hexBinary', '@value': '00' } },
      { '@id': 'kb:connection-4c2b2a4e-1b7f-5b0a-9a4e-000000000002', '@type': 'uco-observable:NetworkConnection', 'uco-core:hasFacet': [{
        '@id': 'kb:facet-4c2b2a4e-1b7f-5b0a-9a4e-000000000003', '@type': 'uco-observable:NetworkConnectionFacet',
        'uco-observable:startTime': [{ '@type': 'xsd:dateTime', '@value': '2026-01-01T00:00:00.000Z' }, { '@type': 'xsd:dateTime', '@value': '2026-01-01T00:00:01.000Z' }],
        'uco-observable:protocols': { '@type': 'uco-types:ControlledDictionary' },
      }] },
      // A key twice (UCO's grouping SPARQL constraint, which the helper evaluates per focus node).
      { '@id': 'kb:dictionary-4c2b2a4e-1b7f-5b0a-9a4e-000000000004', '@type': 'uco-types:Dictionary', 'uco-types:entry': ['5', '6'].map((n) => ({
        '@id': `kb:entry-4c2b2a4e-1b7f-5b0a-9a4e-00000000000${n}`, '@type': 'uco-types:DictionaryEntry', 'uco-types:key': 'layer4', 'uco-types:value': n })) },
      { '@id': 'kb:dictionary-4c2b2a4e-1b7f-5b0a-9a4e-000000000007', '@type': 'uco-types:Dictionary', 'uco-types:entry': [
        { '@id': 'kb:entry-4c2b2a4e-1b7f-5b0a-9a4e-000000000008', '@type': 'uco-types:DictionaryEntry', 'uco-types:key': 'layer4', 'uco-types:value': 'tcp' }] },
    ]);
    const found = await validateCaseQuads(await jsonLdQuads(text));
    const has = (severity: string, re: RegExp) => assert.ok(found.some((f) => f.severity === severity && re.test(`${f.component} ${f.message}`)), `${severity} ${re}\n${show(found)}`);
    has('Violation', /required to not be blank nodes/); // the protocols dictionary
    has('Warning', /hashMethod should be xsd:string/);
    has('Violation', /MaxCount/); // two start times on one connection, as two nodes' records sharing one IRI gave
    const keyTwice = found.filter((f) => /key in a dictionary should appear no more than once/.test(f.message)).map((f) => f.focus);
    assert.deepEqual(keyTwice, ['urn:counterseed:dictionary-4c2b2a4e-1b7f-5b0a-9a4e-000000000004'], 'only the dictionary that repeats its key');
  });

  it('every exported case.jsonld: zero violations, warnings and infos', async () => {
    // Node b's whole package is validated inside the merged graph below.
    const selections: [Fixture, LogFilter][] = [[a, { ip: '198.18.0.11' }], [a, { ip: '2001:db8::7' }], [a, { from: 0 }]];
    for (const [f, filter] of selections) {
      const text = await exported(f, filter);
      assert.ok(graphOf(text).some((x) => x['@type'] === 'uco-observable:NetworkConnection'), 'the selection has deliveries');
      const found = await validateCaseQuads(await jsonLdQuads(text));
      assert.equal(found.length, 0, `${JSON.stringify(filter)}:\n${show(found)}`);
    }
  });

  it('packages from two nodes merge without IRI collisions, and the merged graph conforms', async () => {
    const [ga, gb] = [graphOf(await exported(a, { from: 0 })), graphOf(await exported(b, { from: 0 }))];
    const byIdA = new Map(ga.map((x) => [x['@id'], x]));
    // Both fixtures hold the same decoys, peers and sequence numbers: only what is one thing
    // wherever it is seen (an address, a decoy file) may share an IRI, and then it says the same.
    const shared = gb.filter((x) => byIdA.has(x['@id']));
    assert.ok(shared.length > 0);
    for (const x of shared) {
      assert.match(x['@id'], /^kb:(address|decoy)-/, `${x['@id']} is one node's statement but appears in both packages`);
      assert.deepEqual(x, byIdA.get(x['@id']));
    }
    const conns = [...ga, ...gb].filter((x) => x['@type'] === 'uco-observable:NetworkConnection');
    assert.equal(new Set(conns.map((x) => x['@id'])).size, conns.length);
    const merged = [...await jsonLdQuads(doc(ga)), ...await jsonLdQuads(doc(gb))];
    const found = await validateCaseQuads(merged);
    assert.equal(found.length, 0, show(found));
  });

  it('IRIs are stable across re-exports and differ for a record that reuses a key and a seq', async () => {
    assert.equal(await exported(a, { ip: '198.18.0.12' }, 1_800_000_000_000), await exported(a, { ip: '198.18.0.12' }));
    const node = 'f'.repeat(64);
    assert.notEqual(recordIri(node, 3, 'a'.repeat(64), 'connection'), recordIri(node, 3, 'b'.repeat(64), 'connection'));
    assert.match(recordIri(node, 3, 'a'.repeat(64), 'connection'), /^kb:connection-[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
