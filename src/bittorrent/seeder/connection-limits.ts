/** Admission control: a global cap and a per-IP cap on concurrent connections. */
export class ConnectionLimits {
  readonly #perIp = new Map<string, number>();
  #total = 0;
  readonly #max: number;
  readonly #maxPerIp: number;

  constructor(init: { maxConnections: number; maxConnectionsPerIp: number }) {
    this.#max = init.maxConnections;
    this.#maxPerIp = init.maxConnectionsPerIp;
  }

  /** Returns a refusal reason, or undefined after reserving a slot (pair with `release`). */
  admit(ip: string): string | undefined {
    if (this.#total >= this.#max) return 'limit:connections';
    const n = this.#perIp.get(ip) ?? 0;
    if (n >= this.#maxPerIp) return 'limit:connections-per-ip';
    this.#perIp.set(ip, n + 1);
    this.#total++;
    return undefined;
  }

  release(ip: string): void {
    const n = this.#perIp.get(ip) ?? 0;
    if (n <= 1) this.#perIp.delete(ip);
    else this.#perIp.set(ip, n - 1);
    if (n > 0) this.#total--;
  }

  get total(): number { return this.#total; }
}
