/**
 * Full-payload packet capture (dumpcap) of the seeder port on `lo`, for the validation
 * report: unlike the interop tests' header-only capture, piece messages must be decodable.
 *
 * Readiness and completeness are proven with probe connections from a probe address to a
 * closed port (SYN + RST, never reaching the seeder), as in test/helpers/capture.ts:
 * dumpcap prints "Capturing on" before its filter is live, and the kernel hands packets over
 * in blocks, so a probe seen in the counter (start) or in the file (stop) is the only proof.
 */
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ManagedProcess, requireBinary } from './proc.ts';
import { ValidationError } from './errors.ts';

export const DUMPCAP = '/usr/bin/dumpcap';
const PROBE_EVERY_MS = 50;
const MAX_PROBES = 200;
const CAPTURE_BUFFER_MIB = 256;

export interface CaptureInit {
  readonly port: number;
  /** The seeder's address; only its traffic (and the probes) is kept. */
  readonly host: string;
  /** Nothing listens there; probes come from and go to it. */
  readonly probeIp: string;
  readonly dir: string;
  readonly signal?: AbortSignal;
}

export interface RunningCapture {
  readonly file: string;
  /**
   * Stops dumpcap by PID after a fence probe was counted; returns the source port of the last
   * fence probe and the packets dumpcap reports dropped (must be 0 for a complete capture).
   */
  stop(opts?: { signal?: AbortSignal }): Promise<{ fencePort: number; received: number; dropped: number }>;
}

export async function startCapture(init: CaptureInit): Promise<RunningCapture> {
  requireBinary(DUMPCAP, 'tshark (dumpcap comes with wireshark-common)');
  const file = join(init.dir, 'capture.pcapng');
  const filter = `tcp port ${init.port} and (host ${init.host} or host ${init.probeIp})`;
  // -s 0: whole packets (piece payloads are decoded); no -q: "Packets: N" on stderr is the readiness signal.
  // -B: a loopback download bursts 64 KiB segments faster than the default 2 MiB kernel buffer drains
  // (segments were seen dropped with it), so the buffer is made large.
  const proc = new ManagedProcess(DUMPCAP, ['-i', 'lo', '-f', filter, '-s', '0', '-B', String(CAPTURE_BUFFER_MIB), '-w', file]);
  try {
    await probeUntilCounted(proc, init, 0, init.signal);
  } catch (e) {
    await proc.stop('SIGKILL', 1_000);
    throw new ValidationError(`dumpcap did not start capturing: ${(e as Error).message}\n${proc.describe()}`);
  }
  return {
    file,
    async stop(o = {}) {
      await probeUntilCounted(proc, init, packetCount(proc), o.signal);
      const fencePort = await probeUntilCounted(proc, init, packetCount(proc), o.signal);
      const exit = await proc.stop('SIGTERM', 10_000);
      if (exit.code !== 0 && exit.signal !== 'SIGTERM') throw new ValidationError(`dumpcap failed\n${proc.describe()}`);
      // "Packets received/dropped on interface 'lo': 699/12 (pcap:12/dumpcap:0/flushed:0) ..."
      const m = /received\/dropped on interface '[^']*': (\d+)\/(\d+)/.exec(proc.stderr);
      if (!m) throw new ValidationError(`dumpcap printed no packet statistics\n${proc.describe()}`);
      return { fencePort, received: Number(m[1]), dropped: Number(m[2]) };
    },
  };
}

function packetCount(proc: ManagedProcess): number {
  const all = [...proc.stderr.matchAll(/Packets: (\d+)/g)];
  const last = all[all.length - 1];
  return last ? Number(last[1]) : 0;
}

async function probeUntilCounted(proc: ManagedProcess, init: CaptureInit, before: number, signal?: AbortSignal): Promise<number> {
  let last = 0;
  for (let probes = 0; probes === 0 || packetCount(proc) <= before; probes++) {
    if (signal?.aborted) throw new ValidationError('aborted');
    if (proc.exitInfo) throw new ValidationError(`dumpcap exited\n${proc.describe()}`);
    if (probes >= MAX_PROBES) throw new ValidationError(`dumpcap counted no probe packet after ${MAX_PROBES} probes\n${proc.describe()}`);
    last = probe(init.probeIp, init.port);
    await delay(PROBE_EVERY_MS);
  }
  return last;
}

let probeSerial = 0;

/** Probe source ports cycle through 30000..39999 on the probe address only. */
function probe(ip: string, port: number): number {
  const localPort = 30_000 + (probeSerial++ % 10_000);
  const s = connect({ host: ip, port, localAddress: ip, localPort });
  s.on('error', () => {});
  s.on('connect', () => s.destroy());
  return localPort;
}
