export { Rc4 } from './rc4.ts';
export { classifyFirstBytes, CLASSIFY_BYTES } from './detect.ts';
export { MseResponder, MseError, MSE_MAX_BUFFERED } from './responder.ts';
export type { MseResponderOptions, MseResult, MseStep, MseFailure } from './responder.ts';
export { buildReq2Resolver } from './req2-index.ts';
export { req2Hash } from './hashes.ts';
export { MAX_IA_BYTES, MAX_PAD, MAX_REQ1_SYNC_BYTES, CRYPTO_PLAINTEXT, CRYPTO_RC4 } from './constants.ts';
