import { fileURLToPath } from 'node:url';
import type { Payload } from '../domain/payload.ts';
import type { PayloadRegistry } from './registry.ts';

/**
 * SHA-256 of the committed assets/payloads/warning-no-en.mp4 (see its README).
 * Re-rendering with another ffmpeg build changes it; update both together.
 */
export const DEFAULT_PAYLOAD_ID = '42e31910376764a272f63e88a0e15f9163bcc2cf66a419a6dd55c9e6e892ef84';
export const DEFAULT_PAYLOAD_LABEL = 'warning-no-en.mp4';

/** The bundled Norwegian/English warning video, located relative to this module. */
export function defaultPayloadPath(): string {
  return fileURLToPath(new URL('../../assets/payloads/warning-no-en.mp4', import.meta.url));
}

/** Registers the bundled warning video (idempotent) and returns it. */
export function ensureDefaultPayload(registry: Pick<PayloadRegistry, 'add'>): Payload {
  return registry.add(defaultPayloadPath(), { label: DEFAULT_PAYLOAD_LABEL });
}
