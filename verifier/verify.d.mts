// Types for verify.mjs, so counterseed's TypeScript can call the same verifier a defence expert runs.
export interface Finding { check: string; code: string; message: string }
export interface VerifyFacts {
  package: string; fingerprint: string | null; expectedFingerprint: string | null; treeSize: number | null; root: string | null;
  checkpointAt: number | null; records: number; deliveries: number; seqs: string | null;
  tool: { name: string; version: string; config_sha256: string } | null;
  completeness?: string | null; published?: number;
  /** manifest.purpose: 'evidence', 'lab' or 'synthetic'; null in packages made before it was recorded. */
  purpose?: string | null;
  /** Records erased under the retention rules whose stubs the package's proofs go through (verifier v3; README section 12). */
  erased?: { seq: number; at: number; erasedAt: number; erasure: string }[];
}
export interface VerifyResult { ok: boolean; findings: Finding[]; facts: VerifyFacts }
export const VERIFIER_VERSION: number;
export const CHECKS: Record<string, string>;
export const CSV_COLUMNS: string[];
/** A published checkpoint: the signed text and its base64 signature (a line of checkpoints.ndjson, or checkpoint.json). */
export interface Published { text: string; signature: string }
export function verifyPackage(dir: string, opts?: { keyFingerprint?: string; published?: Published[] }): VerifyResult;
export function readPublished(path: string): Published[];
export function verifyConsistency(first: number, second: number, proof: Uint8Array[], firstRoot: Uint8Array, secondRoot: Uint8Array): boolean;
export function accumulate(entries: [seq: number, at: number, hash: Uint8Array][]): Buffer;
export function ipKey(ip: string): string | null;
export function formatReport(res: VerifyResult): string;
export const PURPOSES: string[];
export function purposeWarning(purpose: string | null | undefined): string | undefined;
export function canonicalJson(v: unknown): string;
export function leafHash(data: Uint8Array): Buffer;
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array): boolean;
export function csvCell(v: string | number | boolean | null): string;
export interface ReferralFacts {
  package: string; fingerprint: string | null; expectedFingerprint: string | null; agency: string | null; purpose: string | null;
  /** Each evidence package once, with the addresses that referral.json points to it. */
  ips: number; deliveries: number; packages: { package: string; ok: boolean; deliveries: number; ips: string[] }[];
}
export interface ReferralResult { ok: boolean; findings: Finding[]; facts: ReferralFacts }
export const REFERRAL_CHECKS: Record<string, string>;
/** A referral package (a folder with referral.json): its signature, every file's hash, each evidence package, and its figures. */
export function verifyReferral(dir: string, opts?: { keyFingerprint?: string; published?: Published[] }): ReferralResult;
export function formatReferralReport(res: ReferralResult): string;
