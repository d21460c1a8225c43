import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolvePresentation } from '../config/client-profiles.ts';
import { deploymentSeed } from '../config/deployment-seed.ts';
import type { Settings } from '../config/settings.ts';
import type { Presentation } from '../domain/presentation.ts';
import type { ServedDecoy } from '../domain/decoy.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { BytesPieceSource } from '../decoy/piece-source.ts';
import { DecoyHasher } from '../decoy/decoy-hasher.ts';
import { VirtualPieceSource } from '../decoy/virtual-source.ts';
import { ensureDefaultPayload, PayloadRegistry } from '../payload/index.ts';
import { VariantRegistry } from '../payload/variants/variant-registry.ts';
import type { DecoyFilesCatalog } from '../store/decoy-files.ts';
import type { Store } from '../store/store.ts';
import { PostgresStore } from '../store/postgres/postgres-store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';
import { openPurpose, type DataPurpose, type DataUse } from './data-purpose.ts';

/** The long-lived state of one data directory: store, payloads, and where decoy bytes come from. */
export interface Context {
  readonly settings: Settings;
  /** What the directory holds (its PURPOSE file): lab and synthetic records are never evidence. */
  readonly purpose: DataPurpose;
  /** What this deployment presents (issue 10 item 3): from its settings and its deployment seed. */
  readonly presentation: Presentation;
  readonly store: Store;
  readonly payloads: PayloadRegistry;
  /** Container variants of payloads, and their padding layouts (issue 3). */
  readonly variants: VariantRegistry;
  /** Per-decoy parameters of factory-built decoys, inserted together with the decoys. */
  readonly decoyFiles: DecoyFilesCatalog;
  /** Shared hash caches for the decoy factory. */
  readonly hasher: DecoyHasher;
  /** A decoy's content, computed from its payload (nothing stored per decoy). */
  sourceFor(decoy: Pick<ServedDecoy, 'id' | 'payloadId' | 'size'>): PieceSource;
  /** A decoy's exact bencoded info dict (synchronous: the seeder needs it inside its frame loop). */
  decoyInfo(decoyId: number): Uint8Array;
  /** The bytes of a registered payload as a piece source (decoy v1 content). */
  payloadSource(payloadId: string): PieceSource;
  log(msg: string): void;
  close(): Promise<void>;
}

const MAX_CACHED_SOURCES = 4096;

/** The embedded store of a data directory: SQLite in counterseed.db. */
export function openSqliteStore(settings: Settings): Store {
  return new SqliteStore(join(settings.dataDir, 'counterseed.db'));
}

/** The store the settings name: PostgreSQL for a postgres:// `store` (the centre), else SQLite in the data directory. */
export function openConfiguredStore(settings: Settings): Store {
  return settings.store === '' ? openSqliteStore(settings) : new PostgresStore({ url: settings.store });
}

/**
 * Opens a data directory. THE place that chooses the store: `openStore` (the `store` setting:
 * SQLite by default, PostgreSQL for postgres://) is the only code that knows which implementation runs.
 * Payloads and keys stay in the data directory either way.
 * Also THE place a directory's purpose is checked (node/data-purpose.ts), before the store is
 * opened: `use` 'evidence' (the default, a live command), 'lab' or 'read' (read-only analysis).
 */
export function openContext(settings: Settings, log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`), openStore: (s: Settings) => Store = openConfiguredStore, use: DataUse = 'evidence'): Context {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const purpose = openPurpose(settings.dataDir, use);
  const presentation = resolvePresentation(settings, deploymentSeed(settings.dataDir));
  const store = openStore(settings);
  const payloads = new PayloadRegistry({ dir: settings.dataDir, catalog: store });
  ensureDefaultPayload(payloads);
  const variants = new VariantRegistry({ payloads, catalog: store.variants });
  const decoyFiles = store.decoyFiles;
  const sources = new Map<string, PieceSource>();
  // Decoy sources are made on first use and few are hot at a time: an LRU keeps memory
  // flat however many decoys a node serves (each entry is a few hundred bytes).
  const decoySources = new Map<number, PieceSource>();
  return {
    settings, purpose, presentation, store, payloads, variants, decoyFiles, hasher: new DecoyHasher(), log,
    payloadSource(payloadId) {
      // Registered payloads only: bytes() re-verifies the SHA-256 before the first use.
      let s = sources.get(payloadId);
      if (!s) { s = new BytesPieceSource(payloads.bytes(payloadId)); sources.set(payloadId, s); }
      return s;
    },
    sourceFor(decoy) {
      let s = decoySources.get(decoy.id);
      if (s) { decoySources.delete(decoy.id); decoySources.set(decoy.id, s); return s; }
      const files = decoyFiles.files(decoy.id);
      // Decoys built before the factory (or by the lab) carry the payload itself.
      s = files === undefined ? this.payloadSource(decoy.payloadId)
        : new VirtualPieceSource(files.map((f) => ({ layout: variants.layout(f.variantId, f.format), size: f.size, nonce: f.nonce, ...(f.path ? { path: f.path } : {}) })));
      if (s.length !== decoy.size) throw new Error(`decoy ${decoy.id}: computed content is ${s.length} bytes, record says ${decoy.size}`);
      decoySources.set(decoy.id, s);
      if (decoySources.size > MAX_CACHED_SOURCES) decoySources.delete(decoySources.keys().next().value!);
      return s;
    },
    decoyInfo(decoyId) {
      const info = store.decoyInfoSync(decoyId);
      if (!info) throw new Error(`decoy ${decoyId} is not in the store`);
      return info;
    },
    close: () => store.close(),
  };
}
