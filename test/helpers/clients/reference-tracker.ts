/**
 * A minimal HTTP tracker (BEP 3 announce, BEP 23 compact peers) used only to
 * validate the client drivers against the libtorrent reference seeder,
 * independently of counterseed's own tracker. Bounded: few swarms, few peers.
 */
import { createServer, type Server } from 'node:http';
import { encode } from '../../../src/bencode/index.ts';

const MAX_SWARMS = 1_000;
const MAX_PEERS_PER_SWARM = 64;
const INTERVAL_S = 30;

export interface ReferenceTracker {
  readonly announceUrl: string;
  /** Announces seen, for diagnostics: "ip:port event". */
  readonly log: readonly string[];
  close(): Promise<void>;
}

export async function startReferenceTracker(opts: { host: string; port: number }): Promise<ReferenceTracker> {
  const swarms = new Map<string, Map<string, { ip: string; port: number }>>();
  const log: string[] = [];
  const server: Server = createServer((req, res) => {
    const reply = (body: Record<string, unknown>): void => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(encode(body as Parameters<typeof encode>[0]));
    };
    const url = req.url ?? '';
    const q = url.indexOf('?');
    if (!url.startsWith('/announce') || q < 0) { res.writeHead(404).end(); return; }
    const params = parseBinaryQuery(url.slice(q + 1));
    const infoHash = params.get('info_hash');
    const port = Number(Buffer.from(params.get('port') ?? []).toString('latin1'));
    const ip = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    if (!infoHash || infoHash.length !== 20 || !(port > 0 && port < 65536)) {
      reply({ 'failure reason': 'bad announce' });
      return;
    }
    const key = Buffer.from(infoHash).toString('hex');
    const event = Buffer.from(params.get('event') ?? []).toString('latin1');
    if (log.length < 1_000) log.push(`${ip}:${port} ${key.slice(0, 8)} ${event || 'none'}`);
    let swarm = swarms.get(key);
    if (!swarm) {
      if (swarms.size >= MAX_SWARMS) { reply({ 'failure reason': 'too many swarms' }); return; }
      swarm = new Map();
      swarms.set(key, swarm);
    }
    const self = `${ip}:${port}`;
    if (event === 'stopped') swarm.delete(self);
    else if (swarm.size < MAX_PEERS_PER_SWARM) swarm.set(self, { ip, port });
    const others = [...swarm.entries()].filter(([k]) => k !== self).map(([, p]) => p);
    const compact = Buffer.alloc(6 * others.length);
    others.forEach((p, i) => {
      p.ip.split('.').forEach((o, j) => compact.writeUInt8(Number(o), 6 * i + j));
      compact.writeUInt16BE(p.port, 6 * i + 4);
    });
    reply({ interval: INTERVAL_S, 'min interval': 5, complete: others.length, incomplete: 0, peers: new Uint8Array(compact) });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  return {
    announceUrl: `http://${opts.host}:${port}/announce`,
    log,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** Query strings carry raw bytes (info_hash, peer_id): decode %XX to bytes, not UTF-8. */
function parseBinaryQuery(qs: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const part of qs.split('&').slice(0, 64)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    out.set(part.slice(0, eq), percentDecode(part.slice(eq + 1)));
  }
  return out;
}

function percentDecode(s: string): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '%' && /^[0-9a-fA-F]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(c.charCodeAt(0) & 0xff);
  }
  return new Uint8Array(bytes);
}
