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
