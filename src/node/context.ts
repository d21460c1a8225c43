import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from '../config/settings.ts';
import type { Decoy } from '../domain/decoy.ts';
import type { PieceSource } from '../domain/piece-source.ts';
import { BytesPieceSource } from '../decoy/piece-source.ts';
import { ensureDefaultPayload, PayloadRegistry } from '../payload/index.ts';
import type { EvidenceStore } from '../store/evidence-store.ts';
import { SqliteStore } from '../store/sqlite/sqlite-store.ts';

/** The long-lived state of one data directory: store, payloads, and where decoy bytes come from. */
export interface Context {
  readonly settings: Settings;
  readonly store: EvidenceStore;
  readonly payloads: PayloadRegistry;
  /** A decoy's content, computed from its payload (nothing stored per decoy). */
  sourceFor(decoy: Decoy): PieceSource;
  /** The bytes of a registered payload as a piece source (decoy v1 content). */
  payloadSource(payloadId: string): PieceSource;
  log(msg: string): void;
  close(): Promise<void>;
}

export function openContext(settings: Settings, log: (msg: string) => void = (m) => process.stderr.write(`${m}\n`)): Context {
  mkdirSync(settings.dataDir, { recursive: true, mode: 0o700 });
  const store = new SqliteStore(join(settings.dataDir, 'counterseed.db'));
  const payloads = new PayloadRegistry({ dir: settings.dataDir, catalog: store });
  ensureDefaultPayload(payloads);
  const sources = new Map<string, PieceSource>();
  return {
    settings, store, payloads, log,
    payloadSource(payloadId) {
      // Registered payloads only: bytes() re-verifies the SHA-256 before the first use.
      let s = sources.get(payloadId);
      if (!s) { s = new BytesPieceSource(payloads.bytes(payloadId)); sources.set(payloadId, s); }
      return s;
    },
    sourceFor(decoy) { return this.payloadSource(decoy.payloadId); },
    close: () => store.close(),
  };
}
