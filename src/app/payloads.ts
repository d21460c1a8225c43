import type { Payload } from '../domain/payload.ts';
import { addWarningVideo, type AddedWarningVideo } from '../payload/index.ts';
import type { Context } from './context.ts';

export type { AddedWarningVideo } from '../payload/index.ts';

export interface RegisterPayloadInput {
  readonly file: string;
  /** Operator label; the file name when absent. Re-adding known bytes with a new label renames them. */
  readonly label?: string;
}

/** Registers a warning video (stored once under its SHA-256, never changed); `notice` says what else happened. */
export function registerPayload(ctx: Context, input: RegisterPayloadInput): AddedWarningVideo {
  return addWarningVideo(ctx.payloads, input.file, input.label === undefined ? {} : { label: input.label });
}

export function listPayloads(ctx: Context): readonly Payload[] {
  return ctx.payloads.list();
}

/** A payload as `payload list` shows it: registered by the operator, or a container variant derived from one. */
export type PayloadEntry = Payload & (
  | { readonly kind: 'registered'; /** Formats of the variants derived from it so far. */ readonly variantFormats: readonly string[] }
  | { readonly kind: 'variant'; /** The registered payload it was derived from. */ readonly sourceId: string; readonly format: string });

/**
 * Registered payloads, each followed by its derived variants when `variants` is set (issue 15
 * item 12: the list mixed the operator's warning videos with the variants decoy builds derive).
 */
export function payloadEntries(ctx: Context, opts: { readonly variants?: boolean } = {}): PayloadEntry[] {
  const all = ctx.payloads.list();
  const byId = new Map(all.map((p) => [p.id, p]));
  const derived = new Map(all.map((p) => [p.id, ctx.store.variants.listVariants(p.id)]));
  const variantIds = new Set([...derived.values()].flat().map((v) => v.variantId));
  const out: PayloadEntry[] = [];
  for (const p of all) {
    if (variantIds.has(p.id)) continue;
    const vs = derived.get(p.id) ?? [];
    out.push({ ...p, kind: 'registered', variantFormats: vs.map((v) => v.format) });
    if (!opts.variants) continue;
    for (const v of vs) {
      const vp = byId.get(v.variantId);
      if (vp) out.push({ ...vp, kind: 'variant', sourceId: p.id, format: v.format });
    }
  }
  return out;
}
