import { QueryTypes, type Sequelize } from 'sequelize';
import { decidableCount, type InboxUser } from '../approvals/approval-inbox.service.js';
import { TRAVELER_STATUSES } from '../models/constants.js';

export interface DashboardSummary {
  travelersByStatus: Array<{ status: string; count: number }>;
  lateTravelers: Array<{ id: number; number: string; due_date: string; status: string; part_number: string }>;
  openWorkOrders: number;
  /** Pending requests the signed-in person may decide (not their own). */
  pendingApprovals: number;
}

const ACTIVE = ['draft', 'released', 'in_progress', 'on_hold'];

/** The figures the start page shows the signed-in person (no one signed in: no approvals to decide). */
export async function dashboardSummary(sequelize: Sequelize, user?: InboxUser): Promise<DashboardSummary> {
  const byStatus = await sequelize.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM travelers GROUP BY status',
    { type: QueryTypes.SELECT },
  );
  const counts = new Map(byStatus.map((r) => [r.status, r.count]));
  const lateTravelers = await sequelize.query<DashboardSummary['lateTravelers'][number]>(
    `SELECT t.id, t.number, to_char(t.due_date, 'YYYY-MM-DD') AS due_date, t.status, p.part_number
       FROM travelers t JOIN parts p ON p.id = t.part_id
      WHERE t.due_date < current_date AND t.status IN (:active)
      ORDER BY t.due_date, t.number LIMIT 10`,
    { type: QueryTypes.SELECT, replacements: { active: ACTIVE } },
  );
  const [{ open }] = await sequelize.query<{ open: number }>(
    `SELECT count(*)::int AS open FROM work_orders WHERE status IN ('open', 'in_progress', 'on_hold')`,
    { type: QueryTypes.SELECT },
  ) as [{ open: number }];
  const pending = user ? await decidableCount(sequelize, user) : 0;
  return {
    travelersByStatus: TRAVELER_STATUSES.map((status) => ({ status, count: counts.get(status) ?? 0 })),
    lateTravelers,
    openWorkOrders: open,
    pendingApprovals: pending,
  };
}
