/**
 * Packet capture (dumpcap) of the seeder port on `lo`: the one capture controller for the
 * validation report (whole packets: piece messages are decoded) and the interop tests (headers
 * only: tcp.len still comes from the IP total length, so byte counts stay exact).
 *
 * dumpcap prints "Capturing on" before its filter is live, and the kernel hands packets over in
 * blocks that a SIGTERM can lose, so both ends are proven with probe connections from a probe
 * address to a closed port (SYN + RST, never reaching the seeder):
 * - start: probes until dumpcap's packet counter moves;
 * - stop: a fence probe, then the live file is read until the fence is in it. Packets are written
 *   in order, so everything before the fence is in the file too.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ValidationError } from './errors.ts';
import { ManagedProcess, requireBinary, run } from './proc.ts';

export const DUMPCAP = '/usr/bin/dumpcap';
const TSHARK = '/usr/bin/tshark';
const PROBE_EVERY_MS = 50;
const MAX_PROBES = 200;
/** Fence polls (tshark reads the live file; dumpcap flushes it about every 0.1 s), and a new fence every so often. */
const FENCE_POLLS = 60;
const FENCE_RESEND_EVERY = 10;

export interface CaptureInit {
  readonly port: number;
  /** The seeder's address; only its traffic (and the probes) is kept. */
  readonly host: string;
  /** Nothing listens there; probes come from and go to it. */
  readonly probeIp: string;
  readonly dir: string;
  /** File name in `dir` (default capture.pcapng). */
  readonly fileName?: string;
  /** Bytes kept per packet: 0 = whole packets (default); 128 = headers only. */
  readonly snaplen?: number;
  /**
   * Kernel capture buffer, MiB. A loopback download bursts 64 KiB segments faster than the
   * default 2 MiB drains (segments were seen dropped with it), so the default is large.
   */
  readonly bufferMiB?: number;
  readonly signal?: AbortSignal;
}

export interface CaptureStats {
  /** Source port of the fence probe found in the file: the proof the file is complete up to the stop. */
  readonly fencePort: number;
  readonly received: number;
  /** Packets the kernel dropped: must be 0 for a complete capture. */
  readonly dropped: number;
}

export interface RunningCapture {
  readonly file: string;
  /** Writes a fence, waits until the file holds it, stops dumpcap by PID and returns its statistics. */
  stop(opts?: { signal?: AbortSignal }): Promise<CaptureStats>;
}

export async function startCapture(init: CaptureInit): Promise<RunningCapture> {
  requireBinary(DUMPCAP, 'tshark (dumpcap comes with wireshark-common)');
  requireBinary(TSHARK, 'tshark');
  const file = join(init.dir, init.fileName ?? 'capture.pcapng');
  const filter = `tcp port ${init.port} and (host ${init.host} or host ${init.probeIp})`;
  // No -q: "Packets: N" on stderr is the readiness signal.
  const proc = new ManagedProcess(DUMPCAP, ['-i', 'lo', '-f', filter, '-s', String(init.snaplen ?? 0), '-B', String(init.bufferMiB ?? 256), '-w', file]);
  try {
    await probeUntilCounted(proc, init, 0, init.signal);
  } catch (e) {
    await proc.stop('SIGKILL', 1_000);
    throw new ValidationError(`dumpcap did not start capturing: ${(e as Error).message}\n${proc.describe()}`);
  }
  return {
    file,
    async stop(o = {}) {
      const fencePort = await writeFence(proc, file, init, o.signal);
      const exit = await proc.stop('SIGTERM', 10_000);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new ValidationError(`dumpcap failed\n${proc.describe()}`);
      // "Packets received/dropped on interface 'lo': 699/12 (pcap:12/dumpcap:0/flushed:0) ..."
      const m = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(proc.stderr);
      if (!m) throw new ValidationError(`dumpcap printed no packet statistics\n${proc.describe()}`);
      return { fencePort, received: Number(m[1]), dropped: Number(m[2]) };
    },
  };
}

/** dumpcap's running packet count ("\rPackets: N" on stderr without -q). */
function packetCount(proc: ManagedProcess): number {
  const all = [...proc.stderr.matchAll(/Packets: (\d+)/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : 0;
}

async function probeUntilCounted(proc: ManagedProcess, init: CaptureInit, before: number, signal?: AbortSignal): Promise<void> {
  for (let probes = 0; probes === 0 || packetCount(proc) <= before; probes++) {
    if (signal?.aborted) throw new ValidationError('aborted');
    if (proc.exitInfo) throw new ValidationError(`dumpcap exited\n${proc.describe()}`);
    if (probes >= MAX_PROBES) throw new ValidationError(`dumpcap counted no probe packet after ${MAX_PROBES} probes\n${proc.describe()}`);
    probe(init.probeIp, init.port);
    await delay(PROBE_EVERY_MS);
  }
}

/** Sends a fence probe and waits (bounded) until the capture file holds its SYN; returns its source port. */
async function writeFence(proc: ManagedProcess, file: string, init: CaptureInit, signal?: AbortSignal): Promise<number> {
  let fence = 0;
  for (let poll = 0; poll < FENCE_POLLS; poll++) {
    if (signal?.aborted) throw new ValidationError('aborted');
    if (proc.exitInfo) throw new ValidationError(`dumpcap exited\n${proc.describe()}`);
    if (poll % FENCE_RESEND_EVERY === 0) fence = probe(init.probeIp, init.port);
    await delay(PROBE_EVERY_MS);
    const filter = `ip.src==${init.probeIp} && tcp.srcport==${fence} && tcp.flags.syn==1 && tcp.flags.ack==0`;
    const r = await run(TSHARK, ['-r', file, '-n', '-Y', filter, '-T', 'fields', '-e', 'tcp.srcport'], { timeoutMs: 30_000, ...(signal ? { signal } : {}) });
    if (r.stdout.split('\n').some((l) => l.trim() === String(fence))) return fence;
  }
  throw new ValidationError(`fence probe never reached ${file} after ${FENCE_POLLS} polls\n${proc.describe()}`);
}

let probeSerial = 0;

/** A connection attempt to a closed port from a known source port (20000..29999, on the probe address only). */
function probe(ip: string, port: number): number {
  const localPort = 20_000 + (probeSerial++ % 10_000);
  const s = connect({ host: ip, port, localAddress: ip, localPort });
  s.on('error', () => {});
  s.on('connect', () => s.destroy());
  return localPort;
}
