import { isIP } from 'node:net';
import { NAMESPACE_URL, uuidV5 } from '../domain/uuid-v5.ts';
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

/** The namespace of every counterseed IRI's UUIDv5: itself the UUIDv5 of 'urn:counterseed:' among URLs. */
const IRI_NAMESPACE = uuidV5(NAMESPACE_URL, 'urn:counterseed:');

/**
 * Node IRIs that are globally unique and stable across re-exports, so packages from several nodes
 * (or from a node whose data directory was re-initialised) merge into one graph without two
 * records landing on one node. Each is `kb:<kind>-<UUIDv5 of a name>` (UCO's
 * core:UcoThing-identifier-regex-shape accepts UUID versions 0-5); the kind tells the nodes that
 * share a name apart, so all nodes made from one record carry that record's UUID. The names:
 *  - what one record of one node says (connection, its facet and protocols, action, provenance):
 *    `<node key fingerprint>/<seq>/<record hash>`: the hash keeps a re-initialised log that reuses
 *    the key and restarts at seq 0 apart;
 *  - what is the same thing wherever it is seen (an IP address, a decoy file): `address/<ip>`,
 *    `decoy/<infohash>`, so two nodes' packages share these nodes with identical statements;
 *  - this node's counterseed: `<node key fingerprint>/tool/<version>`.
 * One UUID per record, not per node: a SHA-1 costs ~2-4 us here, and exports run to 100k+ records.
 */
export const caseIri = (kind: string, name: string): string => `kb:${kind}-${uuidV5(IRI_NAMESPACE, name)}`;
/** The IRI of one part (`connection`, `delivery`, `provenance`, ...) of what record `seq` (hash `hash`) of node `node` says. */
export const recordIri = (node: string, seq: number, hash: string, part: string): string => caseIri(part, recordName(node, seq, hash));
const recordName = (node: string, seq: number, hash: string) => `${node}/${seq}/${hash}`;

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
  readonly #o: { node: string; decoys: ReadonlyMap<string, DecoyFacts & { size: number }> };
  readonly #emit: (node: object) => void;
  readonly #tool: string;
  /** IRIs of the addresses and decoy files already emitted (by IP, by infohash). */
  readonly #addresses = new Map<string, string>();
  readonly #files = new Map<string, string>();

  /** `exportedAt` is not written: the graph carries the records' own times, so re-exports are identical. */
  constructor(o: { node: string; toolVersion: string; decoys: ReadonlyMap<string, DecoyFacts & { size: number }>; exportedAt?: number }, emit: (node: object) => void) {
    this.#o = o;
    this.#emit = emit;
    this.#tool = caseIri('tool', `${o.node}/tool/${o.toolVersion}`);
    emit({
      '@id': this.#tool, '@type': 'uco-tool:Tool', 'uco-core:name': 'counterseed', 'uco-tool:version': o.toolVersion,
      'uco-tool:toolType': 'upload-only BitTorrent deterrence seeder', 'uco-core:description': `node key fingerprint (SHA-256 of Ed25519 public key) ${o.node}`,
    });
  }

  #address(ip: string): string {
    let id = this.#addresses.get(ip);
    if (id === undefined) {
      const uuid = uuidV5(IRI_NAMESPACE, `address/${ip}`);
      id = `kb:address-${uuid}`;
      this.#addresses.set(ip, id);
      const v6 = isIP(ip) === 6;
      this.#emit({
        '@id': id, '@type': v6 ? 'uco-observable:IPv6Address' : 'uco-observable:IPv4Address',
        'uco-core:hasFacet': [{ '@id': `kb:address-facet-${uuid}`, '@type': v6 ? 'uco-observable:IPv6AddressFacet' : 'uco-observable:IPv4AddressFacet', 'uco-observable:addressValue': ip }],
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
    let file = this.#files.get(d.infoHash);
    if (file === undefined) {
      const uuid = uuidV5(IRI_NAMESPACE, `decoy/${d.infoHash}`);
      const part = (p: string) => `kb:decoy-${p}-${uuid}`;
      file = `kb:decoy-${uuid}`;
      this.#files.set(d.infoHash, file);
      this.#emit({
        '@id': file, '@type': 'uco-observable:File',
        'uco-core:hasFacet': [
          { '@id': part('file'), '@type': 'uco-observable:FileFacet', 'uco-observable:fileName': decoy?.name ?? null, 'uco-observable:sizeInBytes': decoy ? int(decoy.size) : null },
          { '@id': part('content'), '@type': 'uco-observable:ContentDataFacet', 'uco-observable:hash': decoy ? [{
            // UCO 1.4.0 wants the plain string (types:Hash's shape warns on a HashNameVocab-typed literal).
            '@id': part('sha256'), '@type': 'uco-types:Hash', 'uco-types:hashMethod': 'SHA256',
            'uco-types:hashValue': { '@type': 'xsd:hexBinary', '@value': decoy.contentSha256 },
          }] : [] },
        ],
      });
    }
    const uuid = uuidV5(IRI_NAMESPACE, recordName(o.node, r.seq, r.hash));
    const iri = (part: string) => `kb:${part}-${uuid}`;
    const conn = iri('connection');
    // Addresses first seen here are emitted before the connection that refers to them.
    const src = this.#address(d.remoteIp);
    const dst = this.#address(d.localIp);
    this.#emit({
      '@id': conn, '@type': 'uco-observable:NetworkConnection',
      'uco-core:hasFacet': [{
        '@id': iri('connection-facet'), '@type': 'uco-observable:NetworkConnectionFacet',
        'uco-observable:src': [ref(src)], 'uco-observable:dst': [ref(dst)],
        'uco-observable:sourcePort': int(d.remotePort), 'uco-observable:destinationPort': int(d.localPort),
        'uco-observable:startTime': time(d.startedAt), 'uco-observable:endTime': time(d.endedAt), 'uco-observable:isActive': false,
        // A named node: UCO forbids blank nodes for every UcoThing, dictionaries included.
        'uco-observable:protocols': { '@id': iri('protocols'), '@type': 'uco-types:ControlledDictionary', 'uco-types:entry': [
          { '@id': iri('protocols-layer4'), '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer4', 'uco-types:value': d.transport },
          { '@id': iri('protocols-layer7'), '@type': 'uco-types:ControlledDictionaryEntry', 'uco-types:key': 'layer7', 'uco-types:value': `bittorrent (${d.encryption})` },
        ] },
      }],
    });
    const action = iri('delivery');
    this.#emit({
      '@id': action, '@type': 'uco-action:Action', 'uco-core:name': 'delivery',
      'uco-core:description': `served ${d.bytesServed} bytes of decoy ${d.infoHash} upload-only to ${d.client ?? 'unknown client'}; peer completed: ${d.completed}`,
      'uco-action:startTime': time(d.startedAt), 'uco-action:endTime': time(d.endedAt), 'uco-action:instrument': ref(this.#tool),
      'uco-action:object': [ref(file)], 'uco-action:result': [ref(conn)],
    });
    this.#emit({
      '@id': iri('provenance'), '@type': 'case-investigation:ProvenanceRecord',
      'case-investigation:exhibitNumber': `evidence-log seq ${r.seq}`,
      'uco-core:description': `record ${r.seq} of node ${o.node}, record hash ${r.hash}; see records.ndjson and proofs.json`,
      'uco-core:object': [ref(conn), ref(action)],
      // When the record was made, not when it was exported: a re-export says the same (UCO allows one value).
      'uco-core:objectCreatedTime': time(r.at),
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
