import type { KeyObject } from 'node:crypto';
import { ASSIGNMENT_PATH, CAMPAIGN_NAME, type CampaignAssignment, checkAssignment, MAX_ASSIGNMENTS, type NodeHealthReport } from './assignment.ts';
import { NODE_HEADER, SIGNATURE_HEADER, signBody } from './protocol.ts';

/** What a pull brings: the campaigns to run, and those the centre unassigned (the node stops them). */
export interface PulledAssignment { readonly campaigns: CampaignAssignment[]; readonly unassigned: string[] }

/** The largest assignment answer read (a thousand campaign lists of a few hundred KB). */
const MAX_ANSWER_BYTES = 256 * 1024 * 1024;

/**
 * A node's pull (issue 12 item 4): sends its health report, signed with its evidence key like a
 * batch (protocol.ts), and gets the campaigns the centre assigns to it, each checked.
 */
export async function pullAssignment(o: { url: string; key: { privateKey: KeyObject; fingerprint: string }; health: NodeHealthReport; signal?: AbortSignal; timeoutMs?: number }): Promise<PulledAssignment> {
  const body = Buffer.from(JSON.stringify(o.health), 'utf8');
  const timeout = AbortSignal.timeout(o.timeoutMs ?? 60_000);
  const res = await fetch(new URL(ASSIGNMENT_PATH, o.url), {
    method: 'POST', body,
    headers: { 'content-type': 'application/json', [NODE_HEADER]: o.key.fingerprint, [SIGNATURE_HEADER]: signBody(ASSIGNMENT_PATH, body, o.key.privateKey) },
    signal: o.signal ? AbortSignal.any([o.signal, timeout]) : timeout,
  });
  if (Number(res.headers.get('content-length') ?? 0) > MAX_ANSWER_BYTES) throw new Error(`centre: the assignment answer is larger than ${MAX_ANSWER_BYTES} bytes`);
  const answer = await res.json() as { campaigns?: unknown; unassigned?: unknown; error?: string };
  if (res.status !== 200) throw new Error(`centre: ${answer.error ?? res.status}`);
  if (!Array.isArray(answer.campaigns) || answer.campaigns.length > MAX_ASSIGNMENTS) throw new Error('centre: the answer is not a list of campaigns');
  // A centre from before pg-centre-006 sends no `unassigned`: nothing to stop.
  const unassigned = answer.unassigned ?? [];
  if (!Array.isArray(unassigned) || unassigned.length > MAX_ASSIGNMENTS || !unassigned.every((c) => typeof c === 'string' && CAMPAIGN_NAME.test(c))) throw new Error('centre: the answer\'s unassigned campaigns are not a list of campaign names');
  return { campaigns: answer.campaigns.map(checkAssignment), unassigned: unassigned as string[] };
}
