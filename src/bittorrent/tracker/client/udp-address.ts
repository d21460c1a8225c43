/** Resolves `udp://host:port[/path]` tracker URLs to a socket address, with a small bounded cache. */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { TrackerRequestError } from './errors.ts';

export interface UdpAddress {
  readonly address: string;
  readonly port: number;
  /** `address:port`, the cache key for connection ids. */
  readonly key: string;
}

const DNS_TTL_MS = 5 * 60_000;
const MAX_DNS_ENTRIES = 1024;

export class UdpAddressResolver {
  readonly #family: 4 | 6;
  readonly #now: () => number;
  readonly #cache = new Map<string, { address: string; at: number }>();

  constructor(family: 4 | 6, now: () => number) {
    this.#family = family;
    this.#now = now;
  }

  async resolve(tracker: string, signal?: AbortSignal): Promise<UdpAddress> {
    let url: URL;
    try {
      url = new URL(tracker);
    } catch {
      throw new TrackerRequestError(`invalid tracker URL: ${tracker}`);
    }
    const port = Number(url.port);
    if (url.protocol !== 'udp:' || url.hostname === '' || !Number.isInteger(port) || port < 1 || port > 0xffff) {
      throw new TrackerRequestError(`not a udp://host:port tracker: ${tracker}`);
    }
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const address = isIP(host) !== 0 ? host : await this.#lookup(host, signal);
    if (isIP(address) !== this.#family) throw new TrackerRequestError(`tracker ${tracker} is not reachable over IPv${this.#family}`);
    return { address, port, key: `${address}|${port}` };
  }

  async #lookup(host: string, signal?: AbortSignal): Promise<string> {
    const hit = this.#cache.get(host);
    if (hit !== undefined && this.#now() - hit.at < DNS_TTL_MS) return hit.address;
    signal?.throwIfAborted();
    const { address } = await lookup(host, { family: this.#family });
    this.#cache.delete(host);
    if (this.#cache.size >= MAX_DNS_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(host, { address, at: this.#now() });
    return address;
  }
}
