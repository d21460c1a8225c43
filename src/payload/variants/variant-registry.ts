import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Payload } from '../../domain/payload.ts';
import type { VariantCatalog, VariantRow } from '../../domain/variant.ts';
import { PayloadError } from '../errors.ts';
import type { PayloadRegistry } from '../registry.ts';
import { checkVariant } from './check-variant.ts';
import { formatByName } from './formats.ts';
import type { PaddingLayout } from './layout.ts';
import { makeVariant } from './make-variant.ts';
import { paddingLayout } from './padding.ts';

// The catalog's types live in domain/ so the store implements them without importing payload code (issue 16 §5).
export type { VariantCatalog, VariantRow } from '../../domain/variant.ts';

/** Text used for .txt/.html/archive variants when a payload has no `<name>.txt` transcript beside it. */
const FALLBACK_TEXT = [
  'WARNING FROM THE POLICE',
  '',
  'This file was shared from a computer belonging to the police.',
  'Your IP address and activity may now be known to the police.',
  'Searching for or downloading material showing sexual abuse of children is a crime, and it harms children.',
  '',
  'Anonymous, confidential help is available: helplinks.eu',
  '',
].join('\n');

/**
 * Container variants of registered warning videos (issue 3 §1): made once, checked
 * with a real decoder, registered as payloads (content-addressed, write-once) and
 * recorded with the decoder that accepted them. Layouts are cached per variant.
 */
export class VariantRegistry {
  readonly #payloads: PayloadRegistry;
  readonly #catalog: VariantCatalog;
  readonly #now: () => number;
  readonly #layouts = new Map<string, PaddingLayout>();

  constructor(deps: { payloads: PayloadRegistry; catalog: VariantCatalog; now?: () => number }) {
    this.#payloads = deps.payloads;
    this.#catalog = deps.catalog;
    this.#now = deps.now ?? Date.now;
  }

  /** The variant of `source` in `format`, made and checked now if it does not exist yet. */
  ensure(sourceId: string, format: string, opts: { textPath?: string } = {}): string {
    const known = this.#catalog.getVariant(sourceId, format);
    if (known) return known.variantId;
    const source = this.#payloads.get(sourceId);
    if (!source.mediaType.startsWith('video/')) throw new PayloadError(`payload ${sourceId} is ${source.mediaType}; variants are made from warning videos`);
    if (!formatByName(format)) throw new PayloadError(`unknown variant format ${format}`);
    const dir = mkdtempSync(join(tmpdir(), 'counterseed-variant-'));
    try {
      const videoPath = this.#payloads.path(sourceId);
      // An MP4 source is its own mp4 variant: the default payload keeps its id.
      const path = format === 'mp4' && source.mediaType === 'video/mp4' ? videoPath : makeVariant(format, { videoPath, text: transcript(source, opts.textPath), videoName: videoName(source) }, dir);
      const check = checkVariant(format, path);
      const v = this.#payloads.add(path, { label: `${source.label.replace(/\.[^.]*$/, '')}.${format}` });
      this.#catalog.putVariant({ sourceId, format, variantId: v.id, checkedBy: check.checkedBy, checkedAt: this.#now() });
      return v.id;
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  list(sourceId: string): VariantRow[] {
    return this.#catalog.listVariants(sourceId);
  }

  /** The padding layout of a registered variant (its bytes re-verified on first use). */
  layout(variantId: string, format: string): PaddingLayout {
    const key = `${variantId}:${format}`;
    let l = this.#layouts.get(key);
    if (l === undefined) {
      l = paddingLayout(format, this.#payloads.bytes(variantId));
      this.#layouts.set(key, l);
    }
    return l;
  }
}

function transcript(p: Payload, textPath?: string): string {
  if (textPath) return readFileSync(textPath, 'utf8');
  return FALLBACK_TEXT;
}

function videoName(p: Payload): string {
  return /\.[A-Za-z0-9]{2,4}$/.test(p.label) ? p.label : 'warning.mp4';
}

/** The transcript committed beside a bundled payload, if any. */
export function transcriptBeside(videoPath: string): string | undefined {
  const t = videoPath.replace(/\.[^./]*$/, '.txt');
  return existsSync(t) ? t : undefined;
}
