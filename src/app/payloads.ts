import type { Payload } from '../domain/payload.ts';
import type { Context } from './context.ts';

export interface RegisterPayloadInput {
  readonly file: string;
  /** Operator label; the file name when absent. */
  readonly label?: string;
}

/** Registers a warning payload (stored once under its SHA-256, never changed). */
export function registerPayload(ctx: Context, input: RegisterPayloadInput): Payload {
  return ctx.payloads.add(input.file, input.label === undefined ? {} : { label: input.label });
}

export function listPayloads(ctx: Context): readonly Payload[] {
  return ctx.payloads.list();
}
