import type { Context as AppContext } from '../app/context.ts';
import type { Actor, Governance } from '../app/governance.ts';
import type { SessionRow } from '../store/governance.ts';
import type { LoginGate } from './auth/throttle.ts';

/** What the web app is composed from (src/web/serve.ts builds it; tests build it on a temp data dir). */
export interface WebDeps {
  /** The data directory's context: the store the use cases read. */
  readonly ctx: AppContext;
  readonly g: Governance;
  /** Login attempts per client address per minute before 429 (beside the per-account lockout). */
  readonly loginPerMinute?: number;
  /** Shared login throttle (`serve --workers N`: the primary's, over IPC); default: one of this app's own. */
  readonly loginGate?: LoginGate;
  /** Shown on every page when the data directory is not real evidence (lab, synthetic). */
  readonly banner?: string;
}

/** Hono's per-request variables: set by the session middleware. */
export interface Env {
  Variables: {
    deps: WebDeps;
    actor: Actor | undefined;
    session: SessionRow | undefined;
    /** The cookie token of the current session (logout needs it). */
    token: string | undefined;
  };
}
