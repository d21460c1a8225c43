/** In-memory transport for MSE tests: moves bytes between an initiator and a responder in chunks. */
import { MseResponder, type MseResult } from '../../../src/bittorrent/mse/responder.ts';
import { MseInitiator, type MseInitiatorResult } from '../../helpers/mse-initiator.ts';

export type Chunking = 'whole' | 'bytes' | 'random';

export function split(data: Uint8Array, how: Chunking): Uint8Array[] {
  if (how === 'whole') return data.length === 0 ? [] : [data];
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length;) {
    const n = how === 'bytes' ? 1 : 1 + Math.floor(Math.random() * 97);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

export interface PumpOutcome {
  responder: MseResult;
  initiator: MseInitiatorResult;
  /** Largest `responder.buffered` seen after any push. */
  maxBuffered: number;
  /** Messages the responder returned, in order, flattened. */
  responderSends: Uint8Array[];
  /** Initiator bytes that arrived after the responder finished, passed through `responder.decrypt`. */
  responderLate: Uint8Array;
}

/** Runs a whole handshake; throws whatever either side throws. Bounded: at most 8 exchange rounds. */
export function pump(init: MseInitiator, resp: MseResponder, how: Chunking): PumpOutcome {
  let toResp: Uint8Array[] = [init.start()];
  let rResult: MseResult | undefined;
  let iResult: MseInitiatorResult | undefined;
  let maxBuffered = 0;
  const responderSends: Uint8Array[] = [];
  const late: Uint8Array[] = [];
  for (let round = 0; round < 8 && (rResult === undefined || iResult === undefined); round++) {
    const toInit: Uint8Array[] = [];
    // A TCP stream has no message boundaries: join each flight, then re-split it.
    for (const msg of [new Uint8Array(Buffer.concat(toResp))]) {
      for (const c of split(msg, how)) {
        if (rResult !== undefined) {
          late.push(rResult.decrypt(c));
          continue;
        }
        const step = resp.push(c);
        maxBuffered = Math.max(maxBuffered, resp.buffered);
        responderSends.push(...step.send);
        toInit.push(...step.send);
        if (step.result) rResult = step.result;
      }
    }
    toResp = [];
    for (const msg of [new Uint8Array(Buffer.concat(toInit))]) {
      for (const c of split(msg, how)) {
        if (iResult !== undefined) throw new Error('responder sent bytes after the initiator finished');
        const step = init.push(c);
        toResp.push(...step.send);
        if (step.result) iResult = step.result;
      }
    }
  }
  if (rResult === undefined || iResult === undefined) throw new Error('handshake did not complete in 8 rounds');
  return {
    responder: rResult, initiator: iResult, maxBuffered, responderSends,
    responderLate: new Uint8Array(Buffer.concat(late)),
  };
}
