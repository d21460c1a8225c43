/**
 * Answers computed once per data version: THE cache of the use cases whose answer is a function of
 * the stored data alone (app/cohorts.ts, app/campaign-deliveries.ts). The caller names a version
 * token that changes whenever what the answer reads changes (a store method that reads watermarks
 * and counters, never the data itself); an entry is reused only while the token is the same, so a
 * cached answer is the answer computed again (each user's test checks this), never an older one.
 *
 * Kept per owner (a store object, held weakly: a closed store's answers go with it) and per input
 * key, at most `maxPerOwner` inputs each, the least recently used dropped first.
 */
export class VersionedCache<T> {
  readonly #byOwner = new WeakMap<object, Map<string, { readonly version: string; readonly value: T }>>();
  readonly #max: number;

  constructor(maxPerOwner: number) {
    if (!Number.isInteger(maxPerOwner) || maxPerOwner < 1) throw new RangeError(`maxPerOwner: a whole number from 1, got ${maxPerOwner}`);
    this.#max = maxPerOwner;
  }

  /** The answer for `key` at `version`: the kept one if it was computed at that version, else `compute()` (then kept). */
  get(owner: object, key: string, version: string, compute: () => T): T {
    let byKey = this.#byOwner.get(owner);
    if (!byKey) { byKey = new Map(); this.#byOwner.set(owner, byKey); }
    const hit = byKey.get(key);
    byKey.delete(key);
    if (hit && hit.version === version) { byKey.set(key, hit); return hit.value; }
    const value = compute();
    byKey.set(key, { version, value });
    if (byKey.size > this.#max) byKey.delete(byKey.keys().next().value!);
    return value;
  }
}
