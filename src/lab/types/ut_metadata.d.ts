/** Ambient types for ut_metadata 5.0.1 (BEP 9 extension for bittorrent-protocol), only what src/lab uses. */
declare module 'ut_metadata' {
  import { EventEmitter } from 'node:events';
  import type { WireExtension } from 'bittorrent-protocol';

  export interface UtMetadata extends EventEmitter {
    /** The raw info dictionary bytes once complete (and while being assembled). */
    metadata?: Uint8Array;
    /** Starts requesting metadata pieces (immediately if the peer's size is known). */
    fetch(): void;
    cancel(): void;
    /** Called by the Wire for each ut_metadata message; replaceable to guard it. */
    onMessage(payload: Uint8Array): void;
    on(event: 'metadata', listener: (torrent: Uint8Array) => void): this;
    on(event: 'warning', listener: (err: Error) => void): this;
  }

  /** Returns an extension class; pass the info dict to serve it, omit it to fetch. */
  export default function utMetadata(metadata?: Uint8Array): WireExtension;
}
