import { isIP } from 'node:net';
import type { DecoyFacts, DeliveryObs } from './csv.ts';

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
 *
 * Built node by node, record by record (an export can hold 100k+ records): `emit` receives the
 * graph's nodes in order, and jsonLdText() / JsonLdFileWriter lay them out exactly as
 * JSON.stringify({ '@context', '@graph': nodes }, null, 1) would. Memory: the addresses and decoy
 * files already emitted, not the graph.
 */
export class CaseGraphBuilder {
  readonly #o: { node: string; decoys: ReadonlyMap<string, DecoyFacts & { size: number }>; exportedAt: number };
  readonly #emit: (node: object) => void;
  readonly #tool: string;
  readonly #addresses = new Set<string>();
  readonly #files = new Set<string>();

  constructor(o: { node: string; toolVersion: string; decoys: ReadonlyMap<string, DecoyFacts & { size: number }>; exportedAt: number }, emit: (node: object) => void) {
    this.#o = o;
    this.#emit = emit;
    this.#tool = `kb:tool-counterseed-${o.toolVersion}`;
    emit({
      '@id': this.#tool, '@type': 'uco-tool:Tool', 'uco-core:name': 'counterseed', 'uco-tool:version': o.toolVersion,
      'uco-tool:toolType': 'upload-only BitTorrent deterrence seeder', 'uco-core:description': `node key fingerprint (SHA-256 of Ed25519 public key) ${o.node}`,
    });
  }

  #address(ip: string): string {
    const id = `kb:address-${ip.replaceAll(':', '-')}`;
    if (!this.#addresses.has(id)) {
      this.#addresses.add(id);
      const v6 = isIP(ip) === 6;
      this.#emit({
        '@id': id, '@type': v6 ? 'uco-observable:IPv6Address' : 'uco-observable:IPv4Address',
        'uco-core:hasFacet': [{ '@id': `${id}-facet`, '@type': v6 ? 'uco-observable:IPv6AddressFacet' : 'uco-observable:IPv4AddressFacet', 'uco-observable:addressValue': ip }],
      });
    }
    return id;
  }

  /** The nodes of one record (none unless it is a delivery), in seq order. */
  record(r: ExportedRecord): void {
    if (r.kind !== 'delivery') return;
    const o = this.#o;
    const d = r.obs as unknown as DeliveryObs;
    const decoy = o.decoys.get(d.infoHash);
    const file = `kb:decoy-${d.infoHash}`;
    if (!this.#files.has(file)) {
      this.#files.add(file);
      this.#emit({
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
    // Addresses first seen here are emitted before the connection that refers to them.
    const src = this.#address(d.remoteIp);
    const dst = this.#address(d.localIp);
    this.#emit({
      '@id': conn, '@type': 'uco-observable:NetworkConnection',
      'uco-core:hasFacet': [{
        '@id': `${conn}-facet`, '@type': 'uco-observable:NetworkConnectionFacet',
        'uco-observable:src': [ref(src)], 'uco-observable:dst': [ref(dst)],
        'uco-observable:sourcePort': int(d.remotePort), 'uco-observable:destinationPort': int(d.localPort),
        'uco-observable:startTime': time(d.startedAt), 'uco-observable:endTime': time(d.endedAt), 'uco-observable:isActive': false,
        'uco-observable:protocols': { '@type': 'uco-types:ControlledDictionary', 'uco-types:entry': [
          { '@id': `${conn}-l4`, '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer4', 'uco-types:value': d.transport },
          { '@id': `${conn}-l7`, '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer7', 'uco-types:value': `bittorrent (${d.encryption})` },
        ] },
      }],
    });
    const action = `kb:delivery-${r.seq}`;
    this.#emit({
      '@id': action, '@type': 'uco-action:Action', 'uco-core:name': 'delivery',
      'uco-core:description': `served ${d.bytesServed} bytes of decoy ${d.infoHash} upload-only to ${d.client ?? 'unknown client'}; peer completed: ${d.completed}`,
      'uco-action:startTime': time(d.startedAt), 'uco-action:endTime': time(d.endedAt), 'uco-action:instrument': ref(this.#tool),
      'uco-action:object': [ref(file)], 'uco-action:result': [ref(conn)],
    });
    this.#emit({
      '@id': `kb:provenance-${r.seq}`, '@type': 'case-investigation:ProvenanceRecord',
      'case-investigation:exhibitNumber': `evidence-log seq ${r.seq}`,
      'uco-core:description': `record ${r.seq} of node ${o.node}, record hash ${r.hash}; see records.ndjson and proofs.json`,
      'uco-core:object': [ref(conn), ref(action)],
      'uco-core:objectCreatedTime': time(o.exportedAt),
    });
  }
}

/** JSON.stringify(v, null, 1) of a value nested `depth` levels deep in a JSON.stringify(_, null, 1) document. */
export const indented = (v: unknown, depth: number): string => {
  const pad = ' '.repeat(depth);
  return pad + JSON.stringify(v, null, 1).replaceAll('\n', `\n${pad}`);
};

/** The text before the first graph node: `{ "@context": ..., "@graph": [` as JSON.stringify(_, null, 1) writes it. */
export const JSONLD_HEAD = `{\n "@context": ${indented(CONTEXT, 1).slice(1)},\n "@graph": [\n`;
/** Between two graph nodes (a graph always holds at least the tool node). */
export const JSONLD_SEP = ',\n';
export const JSONLD_TAIL = '\n ]\n}\n';
/** One graph node as it appears in case.jsonld. */
export const jsonLdNode = (node: object): string => indented(node, 2);
