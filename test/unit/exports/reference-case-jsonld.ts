/** case-jsonld.ts as it was before streaming (commit e95885f): the whole graph as one object. Test-only reference. */
import { isIP } from 'node:net';
import type { DecoyFacts, DeliveryObs } from '../../../src/exports/csv.ts';

/** One exported record, parsed. */
export interface ExportedRecord {
  readonly seq: number;
  readonly hash: string;
  readonly kind: string;
  readonly at: number;
  readonly obs: Record<string, unknown>;
}

const CONTEXT = {
  kb: 'urn:counterseed:',
  'case-investigation': 'https://ontology.caseontology.org/case/investigation/',
  'uco-action': 'https://ontology.unifiedcyberontology.org/uco/action/',
  'uco-core': 'https://ontology.unifiedcyberontology.org/uco/core/',
  'uco-observable': 'https://ontology.unifiedcyberontology.org/uco/observable/',
  'uco-tool': 'https://ontology.unifiedcyberontology.org/uco/tool/',
  'uco-types': 'https://ontology.unifiedcyberontology.org/uco/types/',
  'uco-vocabulary': 'https://ontology.unifiedcyberontology.org/uco/vocabulary/',
  xsd: 'http://www.w3.org/2001/XMLSchema#',
};

const int = (n: number) => ({ '@type': 'xsd:integer', '@value': n });
const time = (ms: number) => ({ '@type': 'xsd:dateTime', '@value': new Date(ms).toISOString() });
const ref = (id: string) => ({ '@id': id });

/**
 * The export's facts in CASE/UCO JSON-LD: for each delivery a NetworkConnection (source and
 * destination address and port, start and end), the decoy File with its SHA-256, an Action
 * ("delivery") whose instrument is counterseed, and a ProvenanceRecord naming the evidence-log
 * record (seq and hash) it came from. The signed records remain the primary evidence.
 */
export function caseGraph(o: { node: string; toolVersion: string; records: readonly ExportedRecord[]; decoys: ReadonlyMap<string, DecoyFacts & { size: number }>; exportedAt: number }): object {
  const graph: object[] = [];
  const tool = `kb:tool-counterseed-${o.toolVersion}`;
  graph.push({
    '@id': tool, '@type': 'uco-tool:Tool', 'uco-core:name': 'counterseed', 'uco-tool:version': o.toolVersion,
    'uco-tool:toolType': 'upload-only BitTorrent deterrence seeder', 'uco-core:description': `node key fingerprint (SHA-256 of Ed25519 public key) ${o.node}`,
  });
  const addresses = new Set<string>();
  const address = (ip: string) => {
    const id = `kb:address-${ip.replaceAll(':', '-')}`;
    if (!addresses.has(id)) {
      addresses.add(id);
      const v6 = isIP(ip) === 6;
      graph.push({
        '@id': id, '@type': v6 ? 'uco-observable:IPv6Address' : 'uco-observable:IPv4Address',
        'uco-core:hasFacet': [{ '@id': `${id}-facet`, '@type': v6 ? 'uco-observable:IPv6AddressFacet' : 'uco-observable:IPv4AddressFacet', 'uco-observable:addressValue': ip }],
      });
    }
    return id;
  };
  const files = new Set<string>();
  for (const r of o.records) {
    if (r.kind !== 'delivery') continue;
    const d = r.obs as unknown as DeliveryObs;
    const decoy = o.decoys.get(d.infoHash);
    const file = `kb:decoy-${d.infoHash}`;
    if (!files.has(file)) {
      files.add(file);
      graph.push({
        '@id': file, '@type': 'uco-observable:File',
        'uco-core:hasFacet': [
          { '@id': `${file}-file`, '@type': 'uco-observable:FileFacet', 'uco-observable:fileName': decoy?.name ?? null, 'uco-observable:sizeInBytes': decoy ? int(decoy.size) : null },
          { '@id': `${file}-content`, '@type': 'uco-observable:ContentDataFacet', 'uco-observable:hash': decoy ? [{
            '@id': `${file}-sha256`, '@type': 'uco-types:Hash', 'uco-types:hashMethod': { '@type': 'uco-vocabulary:HashNameVocab', '@value': 'SHA256' },
            'uco-types:hashValue': { '@type': 'xsd:hexBinary', '@value': decoy.contentSha256 },
          }] : [] },
        ],
      });
    }
    const conn = `kb:connection-${r.seq}`;
    graph.push({
      '@id': conn, '@type': 'uco-observable:NetworkConnection',
      'uco-core:hasFacet': [{
        '@id': `${conn}-facet`, '@type': 'uco-observable:NetworkConnectionFacet',
        'uco-observable:src': [ref(address(d.remoteIp))], 'uco-observable:dst': [ref(address(d.localIp))],
        'uco-observable:sourcePort': int(d.remotePort), 'uco-observable:destinationPort': int(d.localPort),
        'uco-observable:startTime': time(d.startedAt), 'uco-observable:endTime': time(d.endedAt), 'uco-observable:isActive': false,
        'uco-observable:protocols': { '@type': 'uco-types:ControlledDictionary', 'uco-types:entry': [
          { '@id': `${conn}-l4`, '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer4', 'uco-types:value': d.transport },
          { '@id': `${conn}-l7`, '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer7', 'uco-types:value': `bittorrent (${d.encryption})` },
        ] },
      }],
    });
    const action = `kb:delivery-${r.seq}`;
    graph.push({
      '@id': action, '@type': 'uco-action:Action', 'uco-core:name': 'delivery',
      'uco-core:description': `served ${d.bytesServed} bytes of decoy ${d.infoHash} upload-only to ${d.client ?? 'unknown client'}; peer completed: ${d.completed}`,
      'uco-action:startTime': time(d.startedAt), 'uco-action:endTime': time(d.endedAt), 'uco-action:instrument': ref(tool),
      'uco-action:object': [ref(file)], 'uco-action:result': [ref(conn)],
    });
    graph.push({
      '@id': `kb:provenance-${r.seq}`, '@type': 'case-investigation:ProvenanceRecord',
      'case-investigation:exhibitNumber': `evidence-log seq ${r.seq}`,
      'uco-core:description': `record ${r.seq} of node ${o.node}, record hash ${r.hash}; see records.ndjson and proofs.json`,
      'uco-core:object': [ref(conn), ref(action)],
      'uco-core:objectCreatedTime': time(o.exportedAt),
    });
  }
  return { '@context': CONTEXT, '@graph': graph };
}
