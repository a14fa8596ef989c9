import { QueryTypes, type Sequelize } from 'sequelize';
import { approvalInbox, type InboxUser } from '../approvals/approval-inbox.service.js';
import { TRAVELER_STATUSES } from '../models/constants.js';
import { tileFilterSql } from './tile-filters.js';
import { lagNotice, type ReadSource, type ReportPlace } from '../db/read-replica.js';

export interface LateTraveler {
  id: number;
  number: string;
  due_date: string;
  status: string;
  part_number: string;
  customer_name: string;
  /** Whole days past the due date (database calendar). */
  days_late: number;
}

export interface WorkCenterLabor {
  work_center_id: number;
  code: string;
  name: string;
  /** Closed labor started this week at this work center. */
  actual_hours: number;
  /** Estimates of the steps that got that labor, each step counted once. */
  estimated_hours: number;
}

export interface PendingApprovalLine {
  id: number;
  summary: string | null;
  /** ISO timestamp, database clock. */
  requested_at: string;
  requester_name: string;
}

export interface DashboardSummary {
  travelersByStatus: Array<{ status: string; count: number }>;
  /** The most overdue active travelers, at most LATE_LIST_LIMIT of them. */
  lateTravelers: LateTraveler[];
  /** All late active travelers, also those beyond the list. */
  lateTravelerCount: number;
  openWorkOrders: number;
  /** Whether the person reads approval requests at all (a viewer does not: no approvals card). */
  approvalsVisible: boolean;
  /** Pending requests the signed-in person may decide (not their own). */
  pendingApprovals: number;
  /** The oldest of those, at most PENDING_LIST_LIMIT. */
  pendingApprovalList: PendingApprovalLine[];
  /** Monday of the current week (YYYY-MM-DD, database clock). */
  weekStart: string;
  /** Every active work center, also those without labor this week. */
  laborThisWeek: WorkCenterLabor[];
  /** Where the figures were read (the approvals always on the primary) and how far behind they may be (db/read-replica.ts). */
  readFrom: { source: ReadSource; lagSeconds: number; notice: string | null };
}

export const LATE_LIST_LIMIT = 10;
export const PENDING_LIST_LIMIT = 5;

async function travelersByStatus(sequelize: Sequelize): Promise<DashboardSummary['travelersByStatus']> {
  const rows = await sequelize.query<{ status: string; count: number }>('SELECT status, count(*)::int AS count FROM travelers GROUP BY status', {
    type: QueryTypes.SELECT,
  });
  const counts = new Map(rows.map((r) => [r.status, r.count]));
  return TRAVELER_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 }));
}

// Both read travelers_status_due_date_idx: one range per active status, so the cost follows the
// number of late travelers, not the size of the table. "Late" is the travelers list's own filter
// (tile-filters.ts), so the tile's figure is what the list it opens shows.
async function lateTravelers(sequelize: Sequelize): Promise<{ list: LateTraveler[]; count: number }> {
  const list = await sequelize.query<LateTraveler>(
    `SELECT t.id, t.number, to_char(t.due_date, 'YYYY-MM-DD') AS due_date, t.status, p.part_number,
            c.name AS customer_name, (current_date - t.due_date)::int AS days_late
       FROM travelers t
       JOIN parts p ON p.id = t.part_id
       JOIN customers c ON c.id = t.customer_id
      WHERE ${tileFilterSql('travelers', 'late', 't')}
      ORDER BY t.due_date, t.number LIMIT :limit`,
    { type: QueryTypes.SELECT, replacements: { limit: LATE_LIST_LIMIT } },
  );
  const [{ count }] = (await sequelize.query<{ count: number }>(
    `SELECT count(*)::int AS count FROM travelers t WHERE ${tileFilterSql('travelers', 'late', 't')}`,
    { type: QueryTypes.SELECT },
  )) as [{ count: number }];
  return { list, count };
}

async function openWorkOrders(sequelize: Sequelize): Promise<number> {
  const [{ open }] = (await sequelize.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM work_orders w WHERE ${tileFilterSql('work_orders', 'open', 'w')}`,
    { type: QueryTypes.SELECT },
  )) as [{ open: number }];
  return open;
}

/**
 * The week's labor starts from labor_entries_started_at_idx (one week of entries, whatever the
 * size of the history) and reaches steps by primary key. An estimate is counted once per step,
 * however many entries the step got: it is the step's budget, not a per-entry figure. Sums stay
 * numeric until the end so that 0.1 + 0.2 is 0.3.
 */
async function laborThisWeek(sequelize: Sequelize): Promise<{ weekStart: string; centers: WorkCenterLabor[] }> {
  const rows = await sequelize.query<WorkCenterLabor & { week_start: string }>(
    `WITH labor AS (
       SELECT le.hours, le.traveler_step_id, le.manual_step_id,
              coalesce(ts.work_center_id, ms.work_center_id) AS work_center_id,
              coalesce(ts.estimated_hours, ms.estimated_hours) AS step_estimate
         FROM labor_entries le
         LEFT JOIN traveler_steps ts ON ts.id = le.traveler_step_id
         LEFT JOIN manual_steps ms ON ms.id = le.manual_step_id
        WHERE le.started_at >= date_trunc('week', now())
          AND le.started_at < date_trunc('week', now()) + interval '7 days'
          AND le.ended_at IS NOT NULL
     ),
     actual AS (
       SELECT work_center_id, sum(hours) AS hours FROM labor WHERE work_center_id IS NOT NULL GROUP BY work_center_id
     ),
     steps AS (
       SELECT DISTINCT work_center_id, traveler_step_id, manual_step_id, step_estimate
         FROM labor WHERE work_center_id IS NOT NULL
     ),
     estimated AS (
       SELECT work_center_id, sum(step_estimate) AS hours FROM steps GROUP BY work_center_id
     )
     SELECT wc.id AS work_center_id, wc.code, wc.name,
            coalesce(a.hours, 0)::float8 AS actual_hours,
            coalesce(e.hours, 0)::float8 AS estimated_hours,
            to_char(date_trunc('week', now()), 'YYYY-MM-DD') AS week_start
       FROM work_centers wc
       LEFT JOIN actual a ON a.work_center_id = wc.id
       LEFT JOIN estimated e ON e.work_center_id = wc.id
      WHERE wc.active
      ORDER BY wc.code`,
    { type: QueryTypes.SELECT },
  );
  const weekStart = rows[0]?.week_start ?? (await currentWeekStart(sequelize));
  return { weekStart, centers: rows.map(({ week_start: _ignored, ...center }) => center) };
}

async function currentWeekStart(sequelize: Sequelize): Promise<string> {
  const [{ week_start }] = (await sequelize.query<{ week_start: string }>(`SELECT to_char(date_trunc('week', now()), 'YYYY-MM-DD') AS week_start`, {
    type: QueryTypes.SELECT,
  })) as [{ week_start: string }];
  return week_start;
}

/**
 * The figures the start page shows the signed-in person (no one signed in: no approvals to decide).
 * The shop's figures come from `figures` (a read replica when one serves), the approvals to decide
 * from the primary: a person acts on those, and one decided a moment ago must not be offered again.
 */
export async function dashboardSummary(
  sequelize: Sequelize,
  user?: InboxUser,
  figures: Pick<ReportPlace, 'db' | 'source' | 'lagSeconds'> = { db: sequelize, source: 'primary', lagSeconds: 0 },
): Promise<DashboardSummary> {
  const [byStatus, late, open, labor, inbox] = await Promise.all([
    travelersByStatus(figures.db),
    lateTravelers(figures.db),
    openWorkOrders(figures.db),
    laborThisWeek(figures.db),
    // The inbox decides who may decide what (role per rule, never one's own request).
    user ? approvalInbox(sequelize, user) : Promise.resolve({ toDecide: [], mine: [] }),
  ]);
  return {
    travelersByStatus: byStatus,
    lateTravelers: late.list,
    lateTravelerCount: late.count,
    openWorkOrders: open,
    approvalsVisible: user !== undefined,
    pendingApprovals: inbox.toDecide.length,
    pendingApprovalList: inbox.toDecide.slice(0, PENDING_LIST_LIMIT).map((r) => ({
      id: r.id,
      summary: r.summary,
      requested_at: r.requestedAt,
      requester_name: r.requestedBy.name ?? r.requestedBy.username,
    })),
    weekStart: labor.weekStart,
    laborThisWeek: labor.centers,
    readFrom: { source: figures.source, lagSeconds: figures.lagSeconds, notice: lagNotice(figures, 'figures') },
  };
}
