import { sourcePrefix } from '../../observation/source-prefix.ts';

/**
 * Admission control on concurrent connections: a global cap, a per-IP cap, and a cap per source
 * network (/24 IPv4, /48 IPv6; issue 17 item 7), so that a few hundred addresses of one network
 * cannot fill every slot.
 */
export class ConnectionLimits {
  readonly #perIp = new Map<string, number>();
  readonly #perPrefix = new Map<string, number>();
  #total = 0;
  readonly #max: number;
  readonly #maxPerIp: number;
  readonly #maxPerPrefix: number;

  constructor(init: { maxConnections: number; maxConnectionsPerIp: number; maxConnectionsPerPrefix?: number }) {
    this.#max = init.maxConnections;
    this.#maxPerIp = init.maxConnectionsPerIp;
    this.#maxPerPrefix = init.maxConnectionsPerPrefix ?? init.maxConnections;
  }

  /** Returns a refusal reason, or undefined after reserving a slot (pair with `release`). */
  admit(ip: string): string | undefined {
    if (this.#total >= this.#max) return 'limit:connections';
    const n = this.#perIp.get(ip) ?? 0;
    if (n >= this.#maxPerIp) return 'limit:connections-per-ip';
    const net = sourcePrefix(ip).network;
    const p = this.#perPrefix.get(net) ?? 0;
    if (p >= this.#maxPerPrefix) return 'limit:connections-per-prefix';
    this.#perIp.set(ip, n + 1);
    this.#perPrefix.set(net, p + 1);
    this.#total++;
    return undefined;
  }

  release(ip: string): void {
    const n = this.#perIp.get(ip) ?? 0;
    if (n === 0) return;
    if (n === 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n - 1);
    const net = sourcePrefix(ip).network;
    const p = this.#perPrefix.get(net) ?? 0;
    if (p <= 1) this.#perPrefix.delete(net);
    else this.#perPrefix.set(net, p - 1);
    this.#total--;
  }

  get total(): number { return this.#total; }
}
