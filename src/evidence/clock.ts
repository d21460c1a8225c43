import { existsSync, readFileSync } from 'node:fs';
import type { ClockStatement } from './record.ts';
import { offsetExceeds, type SntpResult } from './sntp.ts';

export interface ClockState {
  readonly source: string;
  readonly syncState: ClockStatement['syncState'];
}

/**
 * What this machine's clock runs on, from files only (no network, no subprocess):
 * the kernel clocksource, and the sync daemon's own "synchronized" marker when present.
 */
export function probeClock(read: (path: string) => string | undefined = readText): ClockState {
  const kernel = read('/sys/devices/system/clocksource/clocksource0/current_clocksource')?.trim() || 'unknown';
  // systemd-timesyncd touches this file once it has synchronized (timedatectl's NTPSynchronized).
  if (read('/run/systemd/timesync/synchronized') !== undefined) return { source: `${kernel}; systemd-timesyncd`, syncState: 'synchronized' };
  const daemon = read('/run/chrony/chronyd.pid') !== undefined ? 'chronyd' : read('/run/ntpd.pid') !== undefined ? 'ntpd' : 'none seen';
  return { source: `${kernel}; ${daemon}`, syncState: daemon === 'none seen' ? 'unsynchronized' : 'unknown' };
}

function readText(path: string): string | undefined {
  try { return existsSync(path) ? readFileSync(path, 'utf8') : undefined; } catch { return undefined; }
}

export interface ClockMonitorComponents {
  readonly record: (s: ClockStatement) => void;
  readonly probe: () => ClockState;
  /** An SNTP query; only called in live mode. */
  readonly measure: (signal: AbortSignal) => Promise<SntpResult>;
  readonly now: () => number;
  readonly warn: (msg: string) => void;
}

export interface ClockMonitorInit {
  readonly mode: 'lab' | 'live';
  readonly intervalMs: number;
  readonly ntpMaxOffsetMs: number;
}

/**
 * Records the clock source and sync state at start and whenever either changes; in live mode it
 * also measures and records the NTP offset each interval and warns above the threshold.
 * In lab mode NTP is a no-op: nothing leaves the machine.
 */
export class ClockMonitor {
  readonly #c: ClockMonitorComponents;
  readonly #init: ClockMonitorInit;
  readonly #abort = new AbortController();
  #last: ClockState | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(c: ClockMonitorComponents, init: ClockMonitorInit) {
    this.#c = c;
    this.#init = init;
  }

  async start(): Promise<void> {
    await this.check();
    this.#timer = setInterval(() => { this.#running ??= this.check().finally(() => { this.#running = undefined; }); }, this.#init.intervalMs);
    this.#timer.unref();
  }

  /** One check; public so tests drive it without timers. */
  async check(): Promise<void> {
    const state = this.#c.probe();
    const changed = !this.#last || this.#last.source !== state.source || this.#last.syncState !== state.syncState;
    const note = !this.#last ? 'start' : changed ? 'changed' : 'ntp';
    this.#last = state;
    let ntp: SntpResult | undefined;
    let ntpNote = '';
    if (this.#init.mode === 'live') {
      try { ntp = await this.#c.measure(this.#abort.signal); } catch (e) { ntpNote = `; ntp failed: ${(e as Error).message}`; }
      if (ntp && offsetExceeds(ntp.offsetMs, this.#init.ntpMaxOffsetMs)) {
        ntpNote = `; offset ${ntp.offsetMs.toFixed(1)} ms exceeds ${this.#init.ntpMaxOffsetMs} ms`;
        this.#c.warn(`WARNING: clock offset to ${ntp.server} is ${ntp.offsetMs.toFixed(1)} ms (threshold ${this.#init.ntpMaxOffsetMs} ms): delivery times may be off`);
      }
    }
    if (!changed && this.#init.mode !== 'live') return;
    this.#c.record({
      kind: 'clock', at: this.#c.now(), source: state.source, syncState: state.syncState,
      ntpOffsetMs: ntp ? Math.round(ntp.offsetMs) : null, ntpServer: ntp?.server ?? null, note: note + ntpNote,
    });
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#abort.abort();
    await this.#running?.catch(() => {});
  }
}
