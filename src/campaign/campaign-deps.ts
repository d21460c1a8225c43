import { fileResolver } from '../decoy/file-resolver.ts';
import type { DecoyHasher } from '../decoy/decoy-hasher.ts';
import type { Presentation } from '../domain/presentation.ts';
import { seededPadding } from '../payload/variants/padding-bytes.ts';
import { DEFAULT_PAYLOAD_ID, defaultPayloadPath, type PayloadRegistry } from '../payload/index.ts';
import { bundledPayloadFor, loadHelpServices, type HelpServices } from '../payload/localized.ts';
import { transcriptBeside, type VariantRegistry } from '../payload/variants/variant-registry.ts';
import type { CampaignCatalog } from '../store/campaigns.ts';
import type { DecoyFilesCatalog } from '../store/decoy-files.ts';
import type { ReleaseDeps } from './release.ts';

/** Country (ISO 3166-1) -> warning language, for rows that name a country. */
export const COUNTRY_LANG: Readonly<Record<string, string>> = { NO: 'no', SE: 'sv', DK: 'da', DE: 'de', AT: 'de', CH: 'de', NL: 'nl', BE: 'nl', GB: 'en', UK: 'en', IE: 'en', US: 'en' };

/**
 * The part of a data directory's context a campaign step uses. The node's Context has
 * these fields; naming them here keeps campaign/ from importing node/ (issue 16 §5).
 */
export interface CampaignHost {
  readonly payloads: PayloadRegistry;
  readonly variants: VariantRegistry;
  readonly decoyFiles: DecoyFilesCatalog;
  readonly hasher: DecoyHasher;
  /** The deployment's padding bytes and piece-size rule (issue 10 item 3); classic ones when absent. */
  readonly presentation?: Presentation;
  log(msg: string): void;
}

/**
 * What a campaign step needs from a data directory, shared by `campaign create/tick`
 * and the running seed node, so both release the same decoys for the same row.
 */
export function campaignDeps(ctx: CampaignHost, campaigns: CampaignCatalog, onProgress?: (done: number, total: number) => void): ReleaseDeps & { languageProblem(lang: string): string | undefined } {
  const defaultText = transcriptBeside(defaultPayloadPath());
  let help: HelpServices | null | undefined;
  const bundled = new Map<string, string | null>();
  // Archive and document variants carry the transcript of their own payload's language.
  const textFor = new Map<string, string | undefined>();
  const resolvers = new Map<string | undefined, ReturnType<typeof fileResolver>>();
  const p = ctx.presentation;
  const padding = p?.padding === 'seed' ? seededPadding(p.choiceKey) : undefined;
  return {
    campaigns, decoyFiles: ctx.decoyFiles,
    resolve(fileName, sourceId) {
      const t = textFor.has(sourceId) ? textFor.get(sourceId) : defaultText;
      let r = resolvers.get(t);
      if (!r) { r = fileResolver(ctx.variants, { ...(t ? { textPath: t } : {}), ...(padding ? { padding } : {}) }); resolvers.set(t, r); }
      return r(fileName, sourceId);
    },
    payloadFor(lang, c) {
      if (lang === null) return c.payloadId ?? DEFAULT_PAYLOAD_ID;
      return find(lang) ?? c.payloadId ?? DEFAULT_PAYLOAD_ID;
    },
    languageProblem(lang) {
      if (find(lang) !== null) return undefined;
      return `no warning payload for language or country "${lang}" (bundled: ${help ? help.payloads.map((p) => p.lang).join(', ') : 'none'}; `
        + `or register one: counterseed payload add FILE --label warning-<language>.mp4)`;
    },
    factory: { hasher: ctx.hasher, sizeTaken: ctx.decoyFiles.sizeTaken(), ...(p ? { pieceSize: p.torrent.pieceSize } : {}), ...(onProgress ? { onProgress } : {}) },
  };

  /** The payload for a row's language or country code, or null when there is none (no silent fallback here). */
  function find(lang: string): string | null {
    // 1. The localised payload rendered from assets/help-services.json, registered at first use.
    let id = bundled.get(lang);
    if (id === undefined) {
      if (help === undefined) {
        try { help = loadHelpServices(); } catch (e) { ctx.log(`localised warnings unavailable: ${(e as Error).message}`); help = null; }
      }
      const b = help ? bundledPayloadFor(help, lang) : undefined;
      id = b ? ctx.payloads.add(b.path, { label: `warning-${b.lang}.mp4` }).id : null;
      if (b && id !== null) textFor.set(id, transcriptBeside(b.path));
      bundled.set(lang, id);
    }
    if (id !== null) return id;
    // 2. An operator-registered video labelled warning-<lang>[-...].<ext>.
    // A lower-case code is a language, an upper-case one a country: "EN" is neither a country nor "en".
    const l = COUNTRY_LANG[lang] ?? (/^[a-z]{2}$/.test(lang) ? lang : undefined);
    if (l === undefined) return null;
    const byLang = ctx.payloads.list().find((p) => p.mediaType.startsWith('video/') && new RegExp(`(^|-)${l}([-.]|$)`).test(p.label));
    return byLang?.id ?? null;
  }
}
