import { fileResolver } from '../decoy/file-resolver.ts';
import type { Context } from '../node/context.ts';
import { DEFAULT_PAYLOAD_ID, defaultPayloadPath } from '../payload/index.ts';
import { transcriptBeside } from '../payload/variants/variant-registry.ts';
import type { CampaignStore } from '../store/sqlite/campaign-store.ts';
import type { ReleaseDeps } from './release.ts';

/** Country (ISO 3166-1) -> warning language, for rows that name a country. */
export const COUNTRY_LANG: Readonly<Record<string, string>> = { NO: 'no', SE: 'sv', DK: 'da', DE: 'de', AT: 'de', CH: 'de', NL: 'nl', BE: 'nl', GB: 'en', UK: 'en', IE: 'en', US: 'en' };

/**
 * What a campaign step needs from a data directory, shared by `campaign create/tick`
 * and the running seed node, so both release the same decoys for the same row.
 */
export function campaignDeps(ctx: Context, campaigns: CampaignStore, onProgress?: (done: number, total: number) => void): ReleaseDeps {
  const textPath = transcriptBeside(defaultPayloadPath());
  return {
    campaigns, decoyFiles: ctx.decoyFiles, resolve: fileResolver(ctx.variants, textPath ? { textPath } : {}),
    payloadFor(lang, c) {
      const l = lang === null ? null : (COUNTRY_LANG[lang] ?? lang.toLowerCase());
      // A payload labelled warning-<lang>[-...].<ext> (or containing -<lang>-/-<lang>.) carries that language.
      const byLang = l === null ? undefined : ctx.payloads.list().find((p) => p.mediaType.startsWith('video/') && new RegExp(`(^|-)${l}([-.]|$)`).test(p.label));
      return byLang?.id ?? c.payloadId ?? DEFAULT_PAYLOAD_ID;
    },
    factory: { hasher: ctx.hasher, sizeTaken: ctx.decoyFiles.sizeTaken(), ...(onProgress ? { onProgress } : {}) },
  };
}
