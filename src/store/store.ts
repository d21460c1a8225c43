import type { CampaignCatalog } from './campaigns.ts';
import type { CaseRegister } from './cases.ts';
import type { DecoyFilesCatalog } from './decoy-files.ts';
import type { EvidenceLogBackend, RunMarkers } from './evidence-log.ts';
import type { EvidenceStore } from './evidence-store.ts';
import type { HealthQueries } from './health.ts';
import type { IntelligenceStore } from './intelligence.ts';
import type { NodeRunCatalog } from './node-runs.ts';
import type { PayloadCatalog } from './payload-catalog.ts';
import type { ReferralStore } from './referrals.ts';
import type { RiskStore } from './risk.ts';
import type { SourceStore } from './sources.ts';
import type { VariantCatalog } from './variant-catalog.ts';

/**
 * THE store contract: everything the node and the use cases need from storage. SQLite
 * (sqlite/sqlite-store.ts) is the embedded one; a PostgreSQL store implements the same interface
 * and must pass the same contract suite (test/unit/store/contract/). Only the composition root
 * (node/context.ts) knows which one it opened.
 */
export interface Store extends EvidenceStore, PayloadCatalog {
  /** Per-decoy parameters of factory-built decoys. */
  readonly decoyFiles: DecoyFilesCatalog;
  /** Container variants of payloads. */
  readonly variants: VariantCatalog;
  readonly campaigns: CampaignCatalog;
  /** Inbound connections per address and per decoy over time (`counterseed health`). */
  readonly health: HealthQueries;
  /** Enrichment, rollups and the analysis queries (issue 11): never evidence, never chained. */
  readonly intel: IntelligenceStore;
  /** Agencies, retention rules and what was referred (issue 14 part 4): operator tables, never evidence. */
  readonly referrals: ReferralStore;
  /** The case register (issue 14 part 5). */
  readonly cases: CaseRegister;
  /** Records from other sources and their cross-matches (issue 14 §1-§2): never evidence, never chained. */
  readonly sources: SourceStore;
  /** Explainable risk scores and their reviews (issue 14 §3): assessments, never chained. */
  readonly risk: RiskStore;
  /** Each start of the node and what it presented (exports' tool.json). */
  readonly nodeRuns: NodeRunCatalog;
  /** The tamper-evident log's tables and the append transaction it hooks into. */
  evidenceLog(): EvidenceLogBackend;
  /** Run markers and open sessions: how a start finds the runs that ended uncleanly. */
  runMarkers(): RunMarkers;
  /** A decoy's exact bencoded info dict, synchronously: the seeder answers BEP 9 requests from inside its frame loop. */
  decoyInfoSync(id: number): Uint8Array | undefined;
}
