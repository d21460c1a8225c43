/**
 * deliveries.csv: RFC 4180 (comma separated, CRLF line ends, fields with , " CR LF quoted, "" for ").
 * Peer-controlled text (client names) could start a spreadsheet formula, so a cell that begins
 * with = + - @ TAB or CR gets a leading apostrophe (OWASP CSV injection). The verifier applies
 * the same two rules, so the file is checked cell by cell against records.ndjson.
 */
export const DELIVERY_COLUMNS = [
  'seq', 'session_id', 'remote_ip', 'remote_port', 'local_ip', 'local_port', 'transport', 'encryption', 'start_utc', 'end_utc',
  'decoy_id', 'decoy_name', 'info_hash', 'content_sha256', 'bytes_served', 'blocks_served', 'completed', 'metadata_only',
  'client', 'client_version', 'listen_port', 'peer_id', 'disconnect_reason', 'record_hash',
] as const;

export interface DecoyFacts { readonly name: string; readonly contentSha256: string }

/** The delivery record fields the CSV shows, as they appear in records.ndjson (obs). */
export interface DeliveryObs {
  sessionId: string; remoteIp: string; remotePort: number; localIp: string; localPort: number; transport: string; encryption: string;
  startedAt: number; endedAt: number; decoyId: number; infoHash: string; bytesServed: number; blocksServed: number; completed: boolean;
  metadataOnly: boolean; client: string | null; clientVersion: string | null; listenPort: number | null; peerId: string; disconnectReason: string;
}

const text = (v: string | number | boolean | null): string => (v === null ? '' : typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v));

export function csvCell(v: string | number | boolean | null): string {
  let s = text(v);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function deliveryCells(seq: number, hash: string, o: DeliveryObs, decoy: DecoyFacts | undefined): (string | number | boolean | null)[] {
  return [
    seq, o.sessionId, o.remoteIp, o.remotePort, o.localIp, o.localPort, o.transport, o.encryption,
    new Date(o.startedAt).toISOString(), new Date(o.endedAt).toISOString(), o.decoyId, decoy?.name ?? null, o.infoHash,
    decoy?.contentSha256 ?? null, o.bytesServed, o.blocksServed, o.completed, o.metadataOnly, o.client, o.clientVersion,
    o.listenPort, o.peerId, o.disconnectReason, hash,
  ];
}

export function csvLine(cells: readonly (string | number | boolean | null)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
