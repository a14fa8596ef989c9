import { formatDateTime } from '../shared/value-format.js';
import { shopTimeZone } from '../audit/audit-values.js';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Role } from '../auth/roles.js';
import { mayDecide } from './approval-decision.service.js';
import { ruleById } from './approval-policy.js';

/**
 * What waits for a person: the pending requests they may decide (never their own: four eyes),
 * their own pending requests, and the pending requests that concern one record. Read-only; the
 * decision itself is approval-decision.service.ts.
 */

export interface InboxUser {
  id: number;
  role: Role;
}

export interface PendingRequest {
  id: number;
  summary: string | null;
  rule: string | null;
  /** The rule in words ("Releasing a traveler to the floor"). */
  what: string | null;
  operation: string;
  /** ISO timestamp, database clock. */
  requestedAt: string;
  /** The same moment as every page writes one: shop zone, named (shared/value-format.ts). */
  requestedAtText: string;
  requestedBy: { id: number; username: string; name: string | null };
  targetTable: string;
  targetId: number | null;
  parentTable: string | null;
  parentId: number | null;
}

export interface ApprovalInbox {
  /** Requests by others that this person may approve or reject, oldest first. */
  toDecide: PendingRequest[];
  /** This person's own requests still waiting, oldest first. */
  mine: PendingRequest[];
}

interface PendingRow {
  id: number;
  summary: string | null;
  rule: string | null;
  operation: string;
  requested_at: Date;
  requested_by_id: number;
  requester_username: string;
  requester_name: string | null;
  target_table: string;
  target_id: number | null;
  parent_table: string | null;
  parent_id: number | null;
}

const PENDING_SELECT = `
  SELECT a.id, a.summary, a.rule, a.operation, a.requested_at, a.requested_by_id,
         u.username AS requester_username, u.full_name AS requester_name,
         a.target_table, a.target_id, a.parent_table, a.parent_id
    FROM approvals a JOIN users u ON u.id = a.requested_by_id
   WHERE a.status = 'pending'`;

function toRequest(row: PendingRow): PendingRequest {
  return {
    id: row.id,
    summary: row.summary,
    rule: row.rule,
    what: ruleById(row.rule)?.description ?? null,
    operation: row.operation,
    requestedAt: new Date(row.requested_at).toISOString(),
    requestedAtText: formatDateTime(row.requested_at, shopTimeZone()),
    requestedBy: { id: row.requested_by_id, username: row.requester_username, name: row.requester_name },
    targetTable: row.target_table,
    targetId: row.target_id,
    parentTable: row.parent_table,
    parentId: row.parent_id,
  };
}

/** Pending requests are few (they are decided within days), so the role check runs here, not in SQL. */
export async function approvalInbox(sequelize: Sequelize, user: InboxUser): Promise<ApprovalInbox> {
  const rows = await sequelize.query<PendingRow>(`${PENDING_SELECT} ORDER BY a.requested_at, a.id`, { type: QueryTypes.SELECT });
  const requests = rows.map(toRequest);
  return {
    toDecide: requests.filter((r) => r.requestedBy.id !== user.id && mayDecide(user, r.rule)),
    mine: requests.filter((r) => r.requestedBy.id === user.id),
  };
}

/**
 * The request to open once this person has decided one: the next in their inbox's order (the
 * oldest first) after the one decided, else the first still waiting; null when nothing waits.
 */
export async function nextToDecide(sequelize: Sequelize, user: InboxUser, decidedId: number): Promise<number | null> {
  const { toDecide } = await approvalInbox(sequelize, user);
  if (toDecide.length === 0) return null;
  const [decided] = await sequelize.query<{ requested_at: Date }>('SELECT requested_at FROM approvals WHERE id = $1', {
    bind: [decidedId],
    type: QueryTypes.SELECT,
  });
  if (!decided) return toDecide[0]!.id;
  const at = new Date(decided.requested_at).toISOString();
  const later = toDecide.find((r) => r.requestedAt > at || (r.requestedAt === at && r.id > decidedId));
  return (later ?? toDecide[0]!).id;
}

/** How many pending requests this person may decide (the dashboard tile). */
export async function decidableCount(sequelize: Sequelize, user: InboxUser): Promise<number> {
  return (await approvalInbox(sequelize, user)).toDecide.length;
}

/** Pending requests about a record: changes to it, and changes to its children shown on its page. */
export async function pendingForRecord(sequelize: Sequelize, table: string, recordId: string | number): Promise<PendingRequest[]> {
  const id = Number(recordId);
  if (!Number.isSafeInteger(id)) return [];
  const rows = await sequelize.query<PendingRow>(
    `${PENDING_SELECT}
       AND ((a.target_table = $1 AND a.target_id = $2) OR (a.parent_table = $1 AND a.parent_id = $2))
     ORDER BY a.requested_at, a.id`,
    { type: QueryTypes.SELECT, bind: [table, id] },
  );
  return rows.map(toRequest);
}
