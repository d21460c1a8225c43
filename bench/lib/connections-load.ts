/**
 * Load generator of bench/connections.bench.ts, run as its own process so that
 * its CPU is not the seeder's: opens N TCP connections from many 127.x source
 * addresses with at most `concurrency` in flight, completes the BitTorrent
 * handshake on each (BEP 3 handshake, BEP 10 extended handshake, BEP 6
 * have_none), then holds them all idle for `holdS` seconds.
 *
 *   node bench/lib/connections-load.ts '<LoadSpec JSON>'
 *
 * It samples the seeder's /proc counters itself, at the moments that matter
 * (before the ramp, when the last handshake is in, at the end of the hold), so
 * that no pipe latency lands in the figures. Prints one JSON line (LoadResult).
 * Every loop is bounded by a count and a deadline; every socket is destroyed
 * before exit.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { encodeExtendedHandshake } from '../../src/bittorrent/wire/extended.ts';
import { Framer } from '../../src/bittorrent/wire/framer.ts';
import { encodeHandshake, makeReserved, reservedFlags } from '../../src/bittorrent/wire/handshake.ts';
import { encodeMessage } from '../../src/bittorrent/wire/messages.ts';
import { readProc, type ProcSample } from './connections-proc.ts';

export interface LoadSpec {
  readonly host: string;
  readonly port: number;
  readonly seederPid: number;
  /** A file of hex infohashes, one per line (argv could not hold 100,000); connection i asks for the (i mod K)-th. */
  readonly infoHashesPath: string;
  readonly connections: number;
  /** Source addresses; connection i binds sources[i % length]. */
  readonly sources: readonly string[];
  readonly concurrency: number;
  readonly holdS: number;
  /** Per connection, from connect() to the seeder's handshake and piece availability. */
  readonly handshakeTimeoutS: number;
  /** The whole ramp-up; what is not open by then counts as failed. */
  readonly rampTimeoutS: number;
  /** Pause before the first connection, so the baseline sample is of an idle seeder. */
  readonly settleS: number;
}

export interface LoadResult {
  readonly attempted: number;
  /** Connections that got the seeder's handshake, extended handshake (if offered) and have_all/bitfield. */
  readonly opened: number;
  /** Still open at the end of the hold. */
  readonly held: number;
  readonly rampS: number;
  /** Milliseconds from connect() to an open session: p50, p90, p99, max. */
  readonly latencyMs: { p50: number; p90: number; p99: number; max: number };
  readonly failures: Record<string, number>;
  /** Opened, then closed during the ramp or the hold, by reason. */
  readonly drops: Record<string, number>;
  readonly seeder: { readonly base: ProcSample; readonly ramped: ProcSample; readonly held: ProcSample };
  readonly holdS: number;
  readonly loadgenCpuS: number;
}

/** Bounds on the spec: a benchmark that asks for more is a bug in the invocation. */
const MAX_CONNECTIONS = 100_000;
const MAX_CONCURRENCY = 4096;

type State = 'connecting' | 'open' | 'done';

class Conn {
  state: State = 'connecting';
  readonly socket: Socket;
  readonly startedAt = performance.now();
  gotHandshake = false;
  gotExtended = false;
  gotHave = false;
  wantExtended = false;

  constructor(socket: Socket) { this.socket = socket; }
}

function tally(m: Record<string, number>, key: string): void { m[key] = (m[key] ?? 0) + 1; }

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runConnectionsLoad(spec: LoadSpec): Promise<LoadResult> {
  if (!(spec.connections >= 1 && spec.connections <= MAX_CONNECTIONS)) throw new RangeError(`connections must be 1..${MAX_CONNECTIONS}`);
  if (!(spec.concurrency >= 1 && spec.concurrency <= MAX_CONCURRENCY)) throw new RangeError(`concurrency must be 1..${MAX_CONCURRENCY}`);
  const hashes = readFileSync(spec.infoHashesPath, 'latin1').split('\n').filter((l) => /^[0-9a-f]{40}$/.test(l)).map((h) => Buffer.from(h, 'hex'));
  if (spec.sources.length === 0 || hashes.length === 0) throw new RangeError('need at least one source address and one infohash');
  const reserved = makeReserved({ extended: true, fast: true });
  // BEP 10: we offer no extensions; "p" 0 would be invalid, so it is left out.
  const extended = encodeMessage({ type: 'extended', id: 0, payload: encodeExtendedHandshake({ m: new Map(), v: 'counterseed-bench-loadgen' }) });
  const haveNone = encodeMessage({ type: 'have-none' });

  const failures: Record<string, number> = {};
  const drops: Record<string, number> = {};
  const latencies: number[] = [];
  const conns: Conn[] = [];
  let next = 0;
  let inFlight = 0;
  let opened = 0;
  let wake: (() => void) | undefined;
  const poke = () => { const w = wake; wake = undefined; w?.(); };

  const finish = (c: Conn, reason: string) => {
    if (c.state === 'done') return;
    if (c.state === 'connecting') { inFlight--; tally(failures, reason); } else tally(drops, reason);
    c.state = 'done';
    c.socket.destroy();
    poke();
  };

  const start = (i: number) => {
    const infoHash = hashes[i % hashes.length]!;
    const socket = connect({ host: spec.host, port: spec.port, localAddress: spec.sources[i % spec.sources.length]!, noDelay: true });
    const c = new Conn(socket);
    conns.push(c);
    inFlight++;
    const framer = new Framer({ expectHandshake: true });
    socket.setTimeout(spec.handshakeTimeoutS * 1000);
    socket.on('timeout', () => finish(c, 'handshake-timeout'));
    socket.on('connect', () => {
      socket.write(encodeHandshake({ reserved, infoHash, peerId: Buffer.concat([Buffer.from('-CB0001-'), randomBytes(12)]) }));
    });
    socket.on('data', (chunk: Buffer) => {
      if (c.state !== 'connecting') return; // holding: read and discard (keep-alives, choke/unchoke)
      try {
        framer.push(chunk);
        for (let f = framer.next(); f !== undefined; f = framer.next()) {
          if (f.kind === 'handshake') {
            if (!Buffer.from(f.handshake.infoHash).equals(infoHash)) return finish(c, 'wrong-infohash');
            c.gotHandshake = true;
            c.wantExtended = reservedFlags(f.handshake.reserved).extended;
            socket.write(extended);
            if (reservedFlags(f.handshake.reserved).fast) socket.write(haveNone);
          } else if (f.message.type === 'extended' && f.message.id === 0) c.gotExtended = true;
          else if (f.message.type === 'have-all' || f.message.type === 'bitfield') c.gotHave = true;
        }
      } catch (e) {
        return finish(c, `protocol:${(e as Error).message.slice(0, 60)}`);
      }
      if (c.gotHandshake && c.gotHave && (c.gotExtended || !c.wantExtended)) {
        c.state = 'open';
        inFlight--;
        opened++;
        latencies.push(performance.now() - c.startedAt);
        socket.setTimeout(0);
        poke();
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish(c, `error:${e.code ?? e.message}`));
    socket.on('close', () => finish(c, c.state === 'connecting' && !c.gotHandshake ? 'closed-before-handshake' : 'closed-by-seeder'));
  };

  const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
  await sleep(spec.settleS * 1000);
  const base = readProc(spec.seederPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const rampDeadline = t0 + spec.rampTimeoutS * 1000;
  // The ramp: keep `concurrency` connections in flight until every one has been started and settled.
  while ((next < spec.connections || inFlight > 0) && performance.now() < rampDeadline) {
    while (next < spec.connections && inFlight < spec.concurrency) start(next++);
    await new Promise<void>((r) => {
      // Woken by the next settled connection, or after 100 ms to check the deadline.
      const t = setTimeout(r, 100);
      wake = () => { clearTimeout(t); r(); };
    });
  }
  const rampS = (performance.now() - t0) / 1000;
  for (const c of conns) if (c.state === 'connecting') finish(c, 'ramp-timeout');
  failures['not-started'] = spec.connections - next || 0;
  if (failures['not-started'] === 0) delete failures['not-started'];
  const ramped = readProc(spec.seederPid);
  await sleep(spec.holdS * 1000);
  const held = readProc(spec.seederPid);
  const stillOpen = conns.filter((c) => c.state === 'open').length;
  const cpu = process.cpuUsage(cpu0);
  for (const c of conns) { c.state = 'done'; c.socket.destroy(); }
  latencies.sort((a, b) => a - b);
  return {
    attempted: next, opened, held: stillOpen, rampS,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: latencies.at(-1) ?? 0 },
    failures, drops, seeder: { base, ramped, held }, holdS: spec.holdS, loadgenCpuS: (cpu.user + cpu.system) / 1e6,
  };
}

if (import.meta.main) {
  try {
    const result = await runConnectionsLoad(JSON.parse(process.argv[2] ?? '') as LoadSpec);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ error: (e as Error).message })}\n`);
    process.exitCode = 1;
  }
}
