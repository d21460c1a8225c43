export type { PayloadCatalog } from './catalog.ts';
export { MemoryPayloadCatalog } from './memory-catalog.ts';
export { PayloadError } from './errors.ts';
export { PayloadRegistry, DEFAULT_MAX_PAYLOAD_BYTES, type PayloadRegistryDeps } from './registry.ts';
export { sniffMediaType, SNIFF_BYTES } from './media-type.ts';
export { defaultPayloadPath, ensureDefaultPayload, DEFAULT_PAYLOAD_ID, DEFAULT_PAYLOAD_LABEL } from './default-payload.ts';
export { addWarningVideo, type AddedWarningVideo } from './add-warning-video.ts';
