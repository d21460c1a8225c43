import type pg from 'pg';
import { type CampaignAssignment, checkAssignment, MAX_ASSIGNMENTS, type NodeHealthReport } from './assignment.ts';

/** No registered node answers to this name (fingerprint, its first 8+ hex digits, or its label), or more than one does. */
export class UnknownNodeError extends Error {
  constructor(message: string) { super(message); this.name = 'UnknownNodeError'; }
}

/** The node a fingerprint, a fingerprint prefix (8+ hex digits) or a label names: exactly one, or UnknownNodeError. */
export async function findNode(pool: pg.Pool, name: string): Promise<{ id: number; fingerprint: string; label: string }> {
  const prefix = /^[0-9a-f]{8,64}$/.test(name) ? name : 'not a fingerprint';
  const rows = (await pool.query("SELECT id, fingerprint, label FROM centre_nodes WHERE label = $1 OR starts_with(fingerprint, $2) ORDER BY id LIMIT 2", [name, prefix])).rows;
  if (rows.length !== 1) throw new UnknownNodeError(rows.length === 0 ? `no registered node is called ${name}` : `${name} names more than one node: give its fingerprint`);
  return { id: Number(rows[0].id), fingerprint: String(rows[0].fingerprint), label: String(rows[0].label) };
}

/** Assigns a campaign to a node; assigning the same campaign name again replaces its definition. */
export async function assignCampaign(pool: pg.Pool, node: string, spec: CampaignAssignment, now = Date.now()): Promise<void> {
  const a = checkAssignment(spec);
  const n = await findNode(pool, node);
  const count = Number((await pool.query('SELECT count(*) AS n FROM centre_assignments WHERE node_id = $1 AND unassigned_at IS NULL', [n.id])).rows[0].n);
  if (count >= MAX_ASSIGNMENTS) throw new UnknownNodeError(`node ${n.label} has ${MAX_ASSIGNMENTS} campaigns assigned already`);
  await pool.query(`INSERT INTO centre_assignments (node_id, campaign, spec, assigned_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (node_id, campaign) DO UPDATE SET spec = excluded.spec, assigned_at = excluded.assigned_at, unassigned_at = NULL`, [n.id, a.campaign, JSON.stringify(a), now]);
}

/**
 * Takes a campaign off a node's assignment; returns whether it was assigned. The row stays, marked
 * (pg-centre-006): the node's next pull tells it to stop the campaign.
 */
export async function unassignCampaign(pool: pg.Pool, node: string, campaign: string, now = Date.now()): Promise<boolean> {
  const n = await findNode(pool, node);
  return ((await pool.query('UPDATE centre_assignments SET unassigned_at = $3 WHERE node_id = $1 AND campaign = $2 AND unassigned_at IS NULL', [n.id, campaign, now])).rowCount ?? 0) > 0;
}

/** Campaigns unassigned from a node: its pull tells it to stop them (most recent first, bounded). */
export async function unassignedOf(pool: pg.Pool, fingerprint: string): Promise<string[]> {
  const rows = (await pool.query(`SELECT a.campaign FROM centre_assignments a JOIN centre_nodes n ON n.id = a.node_id
    WHERE n.fingerprint = $1 AND a.unassigned_at IS NOT NULL ORDER BY a.unassigned_at DESC, a.campaign LIMIT ${MAX_ASSIGNMENTS}`, [fingerprint])).rows;
  return rows.map((r) => String(r.campaign));
}

/** A node's assignment (what it pulls), in the order assigned. */
export async function assignmentsOf(pool: pg.Pool, fingerprint: string): Promise<CampaignAssignment[]> {
  const rows = (await pool.query(`SELECT a.spec FROM centre_assignments a JOIN centre_nodes n ON n.id = a.node_id
    WHERE n.fingerprint = $1 AND a.unassigned_at IS NULL ORDER BY a.assigned_at, a.campaign LIMIT ${MAX_ASSIGNMENTS}`, [fingerprint])).rows;
  return rows.map((r) => checkAssignment(JSON.parse(String(r.spec))));
}

/** Keeps what a node reported at its pull, and when (its last contact too). */
export async function recordPull(pool: pg.Pool, fingerprint: string, health: NodeHealthReport, now = Date.now()): Promise<void> {
  await pool.query('UPDATE centre_nodes SET last_pull = $2, last_contact = $2, health = $3 WHERE fingerprint = $1', [fingerprint, now, JSON.stringify(health)]);
}
