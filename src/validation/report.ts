/** The validation report: one JSON document, and the same facts as Markdown for people. */
import type { Finding } from '../../verifier/verify.mjs';
import type { ComparisonResult, Tolerance } from './compare.ts';
import type { DownloadResult } from './downloads.ts';
import type { ToolVersions } from './versions.ts';

export interface ValidationReport {
  readonly format: 'counterseed-validation-report/1';
  readonly startedAt: string;
  readonly endedAt: string;
  readonly versions: ToolVersions;
  readonly environment: {
    readonly seeder: string; readonly tracker: string; readonly clients: Record<string, string>;
    readonly namespace: string; readonly dataDir: string; readonly capture: string;
    readonly capturePackets: number; readonly captureDropped: number;
  };
  readonly downloadsRequested: number;
  readonly decoys: readonly { id: number; name: string; infoHash: string; size: number; pieceLength: number; contentSha256: string }[];
  readonly downloads: readonly DownloadResult[];
  readonly tolerance: Tolerance;
  readonly comparison: ComparisonResult;
  readonly evidence: {
    readonly exportDir: string; readonly records: number; readonly deliveries: number; readonly treeSize: number;
    readonly verified: boolean; readonly findings: readonly Finding[]; readonly fingerprint: string | null;
  };
  readonly ok: boolean;
}

export const METHOD = [
  'A fresh data directory; decoys built with `decoys build` from neutral placeholder names; counterseed\'s seed node and built-in tracker on the seeder address.',
  'Everything runs inside a network namespace that has only `lo` (scripts/netns-run.sh); every program is bound to its own RFC 2544 address (198.18.0.0/15).',
  'dumpcap captures whole packets on `lo` for the seeder port from before the first download until after the node has stopped; probe connections from a separate address prove the capture started and that it is complete (the last probe is in the file), and dumpcap must report 0 dropped packets.',
  'Each download is made by a real client (libtorrent, Transmission, aria2) in plaintext where the client allows it; the saved file\'s SHA-256 must equal the decoy\'s content SHA-256.',
  'The capture is read with tshark: TCP SYN/FIN/RST and payload lengths per connection, and piece messages decoded by Wireshark\'s own `bittorrent` dissector (independent of counterseed\'s codec); segments that tshark\'s TCP analysis marks as retransmissions are counted once (the seeder wrote them once), and every row tshark prints is read.',
  'Every delivery the store recorded is matched to one captured connection (same source IP and port, start within tolerance) and every field below compared; every captured connection must match exactly one delivery or rejected-connection record.',
  'aria2 always offers RC4 in its obfuscation handshake, so its connections are MSE-encrypted and cannot be decoded: for them the server->client TCP payload is compared with bytesServed plus the exact framing (13 bytes per block, 68 handshake, 110 MSE) and a bounded allowance for MSE padding and control messages.',
  'The run\'s evidence is exported (`writeExportPackage`) and verified offline with the standalone verifier against the node key fingerprint.',
];

export function renderMarkdown(r: ValidationReport): string {
  const L: string[] = [];
  const c = r.comparison;
  L.push(`# counterseed validation report`, '');
  L.push(`**Result: ${r.ok ? 'PASS' : 'FAIL'}** — ${r.downloads.filter((d) => d.ok).length}/${r.downloads.length} downloads succeeded, ${c.deliveries} deliveries and ${c.rejected} rejected connections recorded, ${c.connections} TCP connections captured, **${c.mismatches.length} mismatches**, evidence export ${r.evidence.verified ? 'verifies' : 'DOES NOT verify'}.`, '');
  L.push(`Run: ${r.startedAt} to ${r.endedAt} (UTC).`, '');
  L.push('## Method', '', ...METHOD.map((m, i) => `${i + 1}. ${m}`), '');
  L.push('## Tolerances', '',
    `- start: \`startedAt - SYN\` in [-${r.tolerance.startEarlyMs}, +${r.tolerance.startLateMs}] ms (same host clock; startedAt is truncated to ms and taken when Node accepts the socket, after the handshake and event-loop latency).`,
    `- end: \`|endedAt - first FIN/RST|\` <= ${r.tolerance.endMs} ms.`,
    `- IP, port, encryption, bytes served, blocks served, served ranges: exact.`,
    `- MSE connections: TCP bytes server->client minus (bytesServed + 13/block + 178) in [0, ${r.tolerance.mseExtraBytes}] bytes.`, '');
  L.push('## Tool versions', '', '| tool | version |', '|---|---|');
  for (const [k, v] of Object.entries(r.versions)) L.push(`| ${k} | ${v === null ? 'n/a' : String(v)} |`);
  L.push('', '## Environment', '', `- seeder ${r.environment.seeder}, tracker ${r.environment.tracker}`,
    `- clients: ${Object.entries(r.environment.clients).map(([k, v]) => `${k} ${v}`).join(', ')}`,
    `- ${r.environment.namespace}`, `- capture: ${r.environment.capture} (${r.environment.capturePackets} packets, ${r.environment.captureDropped} dropped)`, `- data directory: ${r.environment.dataDir}`, '');
  L.push(`## Downloads (N = ${r.downloadsRequested})`, '', '| # | client | address | decoy | bytes | content SHA-256 matches | time (ms) | result |', '|---|---|---|---|---|---|---|---|');
  for (const d of r.downloads) L.push(`| ${d.index + 1} | ${d.client} | ${d.clientIp} | ${d.decoyId} | ${d.bytes} | ${d.contentMatches ? 'yes' : 'no'} | ${d.elapsedMs} | ${d.ok ? 'ok' : `FAILED: ${(d.error ?? '').split('\n')[0]}`} |`);
  L.push('', '## Deliveries compared with the capture', '');
  for (const cmp of c.compared) {
    L.push(`### session ${cmp.sessionId} (decoy ${cmp.decoyId}, ${cmp.client ?? 'unknown client'}, tcp.stream ${cmp.stream})`, '', '| field | recorded | captured | ok | note |', '|---|---|---|---|---|');
    for (const ch of cmp.checks) L.push(`| ${ch.field} | ${cell(ch.recorded)} | ${cell(ch.captured)} | ${ch.ok ? 'yes' : '**NO**'} | ${ch.note ?? ''} |`);
    L.push('');
  }
  L.push(`Rejected connections recorded: ${c.rejected}, matched to a captured connection: ${c.rejectedMatched}.`, '');
  L.push('## Mismatches', '');
  if (c.mismatches.length === 0) L.push('None (0).');
  else for (const m of c.mismatches) L.push(`- ${JSON.stringify(m)}`);
  L.push('', '## Evidence export', '', `- package: ${r.evidence.exportDir}`, `- ${r.evidence.records} records, ${r.evidence.deliveries} deliveries, checkpoint over ${r.evidence.treeSize} records`,
    `- node key fingerprint: ${r.evidence.fingerprint ?? 'n/a'}`, `- offline verification (verifier/verify.mjs): ${r.evidence.verified ? 'OK' : 'FAILED'}`);
  for (const f of r.evidence.findings) L.push(`  - ${f.check}: ${f.code} ${f.message}`);
  L.push('', `To re-check the package: \`counterseed evidence verify ${r.evidence.exportDir}\` or \`node verify.mjs ${r.evidence.exportDir}\`.`, '');
  return `${L.join('\n')}\n`;
}

function cell(v: unknown): string {
  const s = typeof v === 'string' ? v : JSON.stringify(v);
  return (s ?? '').replace(/\|/g, '\\|');
}
