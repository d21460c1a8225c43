export * from './types.ts';
export { decode, decodePrefix, type DecodeResult } from './decode.ts';
export { encode, type Encodable } from './encode.ts';
export * from './access.ts';
