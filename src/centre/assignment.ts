import type { AdapterHealth } from '../network/network-adapter.ts';

/**
 * What the centre assigns to a node (issue 12 item 4), and what the node reports back when it pulls.
 *
 * An assignment is a campaign's definition: its name, the operator's campaign list (the CSV text of
 * `campaign create --list`, parsed and checked by the node with the same parser), release per day,
 * TTL, warning payload (null = the built-in one) and hybrid torrents. The node builds the campaign's
 * decoys itself: each deployment presents itself differently (no constant marks, issue 10), so the
 * centre hands out names, never torrents. Names come only from the operator's lists.
 */
export interface CampaignAssignment {
  readonly campaign: string;
  readonly list: string;
  readonly perDay: number;
  readonly ttlDays: number;
  readonly payloadId: string | null;
  readonly hybrid: boolean;
}

/** What a node reports when it pulls: its networks (where each listens, open inbound connections, decoys served) and its assigned campaigns. */
export interface NodeHealthReport {
  readonly at: number;
  readonly adapters: readonly AdapterHealth[];
  /** Inbound peer connections (deliveries started) per local address over the last 24 hours, as `counterseed health` counts them. */
  readonly inbound: readonly { readonly localIp: string; readonly total: number; readonly lastAt: number }[];
  /** Assigned campaigns the node runs. */
  readonly campaigns: readonly string[];
  /** Assigned campaigns it could not create, and why (a payload it does not hold, a list it refuses). */
  readonly problems: readonly string[];
}

export const ASSIGNMENT_PATH = '/v2/assignment';
/** Bounds on what a pull carries, either way. */
export const MAX_ASSIGNMENTS = 1000;
export const MAX_LIST_CHARS = 16 * 1024 * 1024;
export const MAX_HEALTH_CHARS = 256 * 1024;

export class AssignmentFormatError extends Error {
  constructor(message: string) { super(message); this.name = 'AssignmentFormatError'; }
}

export const CAMPAIGN_NAME = /^[\w.-]{1,100}$/;

/** Checks one assignment (the centre, before storing it; the node, on receipt). */
export function checkAssignment(a: unknown): CampaignAssignment {
  const x = a as Partial<CampaignAssignment> | null;
  if (x === null || typeof x !== 'object') throw new AssignmentFormatError('an assignment is not an object');
  if (typeof x.campaign !== 'string' || !CAMPAIGN_NAME.test(x.campaign)) throw new AssignmentFormatError('campaign: 1-100 letters, digits, . _ -');
  if (typeof x.list !== 'string' || x.list.length > MAX_LIST_CHARS) throw new AssignmentFormatError(`list: the campaign list's text, at most ${MAX_LIST_CHARS} characters`);
  if (!Number.isSafeInteger(x.perDay) || x.perDay! < 1) throw new AssignmentFormatError('perDay: a positive integer');
  if (!Number.isSafeInteger(x.ttlDays) || x.ttlDays! < 1) throw new AssignmentFormatError('ttlDays: a positive integer');
  if (x.payloadId !== null && (typeof x.payloadId !== 'string' || !/^[0-9a-f]{64}$/.test(x.payloadId))) throw new AssignmentFormatError('payloadId: null or a payload id (64 hex digits)');
  if (typeof x.hybrid !== 'boolean') throw new AssignmentFormatError('hybrid: true or false');
  return { campaign: x.campaign, list: x.list, perDay: x.perDay!, ttlDays: x.ttlDays!, payloadId: x.payloadId ?? null, hybrid: x.hybrid };
}

/** Reads a node's health report (the centre keeps it as the node sent it, bounded). */
export function checkHealthReport(body: Buffer): NodeHealthReport {
  if (body.length > MAX_HEALTH_CHARS) throw new AssignmentFormatError(`a health report holds at most ${MAX_HEALTH_CHARS} bytes`);
  let h: Partial<NodeHealthReport>;
  try { h = JSON.parse(body.toString('utf8')) as Partial<NodeHealthReport>; } catch { throw new AssignmentFormatError('the health report is not JSON'); }
  if (h === null || typeof h !== 'object' || !Number.isSafeInteger(h.at) || !Array.isArray(h.adapters) || !Array.isArray(h.inbound) || !Array.isArray(h.campaigns) || !Array.isArray(h.problems)) {
    throw new AssignmentFormatError('the health report is not {at, adapters, inbound, campaigns, problems}');
  }
  return h as NodeHealthReport;
}
