import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import supertest from 'supertest';
import type { Role } from '../src/auth/roles.js';
import { dashboardSummary, type DashboardSummary } from '../src/dashboard/dashboard.service.js';
import type { TravelerStatus } from '../src/models/constants.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { actAsTestSystem } from './support/test-database.js';

/**
 * The dashboard over a shop the test builds itself (no demo data): every expected figure is
 * computed from the plan below, so a wrong join, a missing filter or a double count shows up
 * as a difference, not as a number someone once copied from the screen.
 */

const CENTERS = [
  { code: 'BEND', name: 'Press brake', active: true },
  { code: 'ASSY', name: 'Assembly bench', active: true },
  { code: 'CUT', name: 'Laser cutting', active: true }, // no labor at all: shown with zeros
  { code: 'OLD', name: 'Retired lathe', active: false }, // labor, but not on the dashboard
] as const;
type CenterCode = (typeof CENTERS)[number]['code'];

interface StepPlan {
  key: string;
  number: number;
  center: CenterCode;
  estimate: number;
}
interface ManualPlan {
  key: string;
  after: number;
  center: CenterCode | null;
  estimate: number;
}
interface TravelerPlan {
  number: string;
  status: TravelerStatus;
  /** Days from today (database calendar); null: no due date. */
  due: number | null;
  steps: StepPlan[];
  manual?: ManualPlan[];
}

const TRAVELERS: TravelerPlan[] = [
  { number: 'T-DRAFT-1', status: 'draft', due: 10, steps: [] },
  { number: 'T-DRAFT-2', status: 'draft', due: 0, steps: [] }, // due today: not late yet
  { number: 'T-REL-1', status: 'released', due: -3, steps: [{ key: 'rel-10', number: 10, center: 'CUT', estimate: 1 }] },
  {
    number: 'T-RUN-1',
    status: 'in_progress',
    due: -1,
    steps: [
      { key: 'run-10', number: 10, center: 'ASSY', estimate: 2 },
      { key: 'run-20', number: 20, center: 'BEND', estimate: 1.5 },
      { key: 'run-30', number: 30, center: 'BEND', estimate: 4 }, // last week's labor and an open clock-in
      { key: 'run-40', number: 40, center: 'OLD', estimate: 1 },
    ],
    manual: [
      { key: 'run-m1', after: 20, center: 'BEND', estimate: 0.75 },
      { key: 'run-m2', after: 20, center: null, estimate: 3 }, // no work center: counted nowhere
    ],
  },
  { number: 'T-HOLD-1', status: 'on_hold', due: -2, steps: [{ key: 'hold-10', number: 10, center: 'ASSY', estimate: 1 }] },
  { number: 'T-DONE-1', status: 'completed', due: -5, steps: [{ key: 'done-10', number: 10, center: 'ASSY', estimate: 0.5 }] },
  { number: 'T-CAN-1', status: 'cancelled', due: -4, steps: [] },
];

interface LaborPlan {
  /** A step key, or null for labor booked on the traveler only. */
  step: string | null;
  traveler: string;
  by: Role;
  /** Hours after the start of this week (database clock); negative is last week. */
  start: number;
  /** null: still clocked in. */
  hours: number | null;
}

const LABOR: LaborPlan[] = [
  { step: 'run-10', traveler: 'T-RUN-1', by: 'operator', start: 1, hours: 1.5 },
  { step: 'run-10', traveler: 'T-RUN-1', by: 'quality', start: 30, hours: 0.25 }, // same step: its estimate counts once
  { step: 'run-20', traveler: 'T-RUN-1', by: 'operator', start: 3, hours: 2.25 },
  { step: 'run-m1', traveler: 'T-RUN-1', by: 'quality', start: 4, hours: 0.5 },
  { step: 'run-m2', traveler: 'T-RUN-1', by: 'quality', start: 5, hours: 1 },
  { step: 'run-40', traveler: 'T-RUN-1', by: 'operator', start: 6, hours: 1 },
  { step: null, traveler: 'T-RUN-1', by: 'admin', start: 7, hours: 2 },
  { step: 'done-10', traveler: 'T-DONE-1', by: 'operator', start: 8, hours: 0.25 },
  { step: 'run-30', traveler: 'T-RUN-1', by: 'operator', start: -48, hours: 3 }, // last week
  { step: 'run-20', traveler: 'T-RUN-1', by: 'quality', start: -1, hours: 2 }, // started last week, ended this week
  { step: 'run-20', traveler: 'T-RUN-1', by: 'operator', start: 7 * 24 + 1, hours: 1 }, // next week
  // Still clocked in, on a step with no closed labor this week: neither its hours nor its estimate count.
  { step: 'run-30', traveler: 'T-RUN-1', by: 'engineer', start: 2, hours: null },
];

interface ApprovalPlan {
  by: Role;
  rule: string;
  hoursAgo: number;
  status: 'pending' | 'withdrawn';
}

// Who decides what, as approval-policy.ts says; the test states it so that a change there shows here.
const RULE_APPROVERS: Record<string, Role[]> = {
  'traveler.locked_content': ['approver', 'admin'],
  'user.role': ['admin'],
};

const APPROVALS: ApprovalPlan[] = [
  ...[70, 60, 50, 40, 30, 20].map((hoursAgo) => ({ by: 'engineer' as Role, rule: 'traveler.locked_content', hoursAgo, status: 'pending' as const })),
  { by: 'engineer', rule: 'user.role', hoursAgo: 65, status: 'pending' },
  { by: 'approver', rule: 'traveler.locked_content', hoursAgo: 80, status: 'pending' },
  { by: 'engineer', rule: 'traveler.locked_content', hoursAgo: 90, status: 'withdrawn' },
];

let t: TestApp;
let client: pg.Client;
let weekStart: Date;
let today: string;
const centerId = {} as Record<CenterCode, number>;
const stepRef = new Map<string, { column: 'traveler_step_id' | 'manual_step_id'; id: number; center: CenterCode | null; estimate: number }>();
const travelerId = new Map<string, number>();
let customer: { id: number; name: string };
let partNumber: string;
let approvalIds: number[];
/** What the dashboard said before the test built anything. */
let emptySummary: DashboardSummary;

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await client.query(sql, params)).rows[0] as T;
}

/** The service and the panel read the clock through Sequelize's session, so the test does too. */
async function sequelizeValue<T>(sql: string): Promise<T> {
  const [row] = (await t.db.sequelize.query<{ v: T }>(sql, { type: QueryTypes.SELECT })) as [{ v: T }];
  return row.v;
}

/** Walks a traveler through the states the lifecycle triggers allow, to the planned one. */
async function buildTraveler(plan: TravelerPlan, workOrder: { id: number; partId: number; revisionId: number }) {
  const { id } = await one<{ id: number }>(
    `INSERT INTO travelers (number, work_order_id, part_id, revision_id, customer_id, quantity, due_date)
     VALUES ($1, $2, $3, $4, $5, 10, $6::date + $7::int) RETURNING id`,
    [plan.number, workOrder.id, workOrder.partId, workOrder.revisionId, customer.id, plan.due === null ? null : today, plan.due ?? 0],
  );
  travelerId.set(plan.number, id);
  for (const s of plan.steps) {
    const step = await one<{ id: number }>(
      `INSERT INTO traveler_steps (traveler_id, step_number, work_center_id, operation, estimated_hours) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [id, s.number, centerId[s.center], `Operation ${s.number}`, s.estimate],
    );
    stepRef.set(s.key, { column: 'traveler_step_id', id: step.id, center: s.center, estimate: s.estimate });
  }
  for (const m of plan.manual ?? []) {
    const step = await one<{ id: number }>(
      `INSERT INTO manual_steps (traveler_id, after_step_number, work_center_id, operation, reason, estimated_hours, added_by_id)
       VALUES ($1, $2, $3, 'Extra work', 'Found during inspection', $4, $5) RETURNING id`,
      [id, m.after, m.center ? centerId[m.center] : null, m.estimate, t.users.engineer.id],
    );
    stepRef.set(m.key, { column: 'manual_step_id', id: step.id, center: m.center, estimate: m.estimate });
  }
  const move = (status: string, reason: string | null = null) =>
    client.query('UPDATE travelers SET status = $2, status_reason = coalesce($3, status_reason) WHERE id = $1', [id, status, reason]);
  switch (plan.status) {
    case 'draft':
      return;
    case 'cancelled':
      await move('cancelled', 'Duplicate order');
      return;
    case 'on_hold':
      await move('released');
      await move('on_hold', 'Waiting for material');
      return;
    case 'released':
      await move('released');
      return;
    case 'in_progress':
      await move('released');
      await move('in_progress');
      return;
    case 'completed':
      await move('released');
      await move('in_progress');
      for (const s of plan.steps) {
        const ref = stepRef.get(s.key)!;
        await client.query(`UPDATE traveler_steps SET status = 'in_progress', started_at = now() - interval '2 hours' WHERE id = $1`, [ref.id]);
        await client.query(`UPDATE traveler_steps SET status = 'completed', completed_at = now() - interval '1 hour', completed_by_id = $2 WHERE id = $1`, [
          ref.id,
          t.users.operator.id,
        ]);
      }
      await move('completed');
      return;
  }
}

beforeAll(async () => {
  t = await createTestApp();
  client = new pg.Client({ connectionString: t.db.url });
  await client.connect();
  await actAsTestSystem(client);
  emptySummary = await dashboardSummary(t.db.sequelize);
  weekStart = await sequelizeValue<Date>(`SELECT date_trunc('week', now()) AS v`);
  today = await sequelizeValue<string>(`SELECT to_char(current_date, 'YYYY-MM-DD') AS v`);

  for (const c of CENTERS) {
    centerId[c.code] = (
      await one<{ id: number }>('INSERT INTO work_centers (code, name, active) VALUES ($1, $2, $3) RETURNING id', [c.code, c.name, c.active])
    ).id;
  }
  customer = await one(`INSERT INTO customers (code, name) VALUES ('NORTHWIND', 'Northwind Fabrication') RETURNING id, name`);
  partNumber = 'NW-100';
  const part = await one<{ id: number }>(`INSERT INTO parts (part_number, description, customer_id) VALUES ($1, 'Bracket', $2) RETURNING id`, [
    partNumber,
    customer.id,
  ]);
  // Made a draft (the database refuses any other start), then released.
  const revision = await one<{ id: number }>(`INSERT INTO revisions (part_id, revision_code, effective_date) VALUES ($1, 'A', current_date) RETURNING id`, [
    part.id,
  ]);
  await client.query(`UPDATE revisions SET status = 'released' WHERE id = $1`, [revision.id]);
  // Made open (the database refuses any other start), then moved to the statuses counted.
  await client.query(
    `INSERT INTO work_orders (number, customer_id, part_id, revision_id, quantity)
     VALUES ('WO-1', $1, $2, $3, 100), ('WO-2', $1, $2, $3, 5), ('WO-3', $1, $2, $3, 5), ('WO-4', $1, $2, $3, 5), ('WO-5', $1, $2, $3, 5)`,
    [customer.id, part.id, revision.id],
  );
  const workOrders = await client.query<{ id: number; status: string }>(
    `UPDATE work_orders w SET status = s.status
       FROM (VALUES ('WO-1', 'in_progress'), ('WO-2', 'open'), ('WO-3', 'on_hold'), ('WO-4', 'completed'), ('WO-5', 'cancelled')) AS s(number, status)
      WHERE w.number = s.number
     RETURNING w.id, w.status`,
  );
  workOrders.rows.sort((a, b) => a.id - b.id);
  const workOrder = { id: workOrders.rows[0]!.id, partId: part.id, revisionId: revision.id };
  for (const plan of TRAVELERS) await buildTraveler(plan, workOrder);

  for (const l of LABOR) {
    const ref = l.step ? stepRef.get(l.step)! : null;
    await client.query(
      `INSERT INTO labor_entries (user_id, traveler_id, traveler_step_id, manual_step_id, started_at, ended_at, entry_type, reason)
       VALUES ($1, $2, $3, $4, $5::timestamptz + $6::float8 * interval '1 hour',
               $5::timestamptz + ($6::float8 + $7::float8) * interval '1 hour', $8, $9)`,
      [
        t.users[l.by].id,
        travelerId.get(l.traveler),
        ref?.column === 'traveler_step_id' ? ref.id : null,
        ref?.column === 'manual_step_id' ? ref.id : null,
        weekStart.toISOString(),
        l.start,
        l.hours,
        l.hours === null ? 'clock' : 'manual',
        l.hours === null ? null : 'Booked from the paper traveler',
      ],
    );
  }

  approvalIds = [];
  for (const a of APPROVALS) {
    const row = await one<{ id: number }>(
      `INSERT INTO approvals (target_table, target_id, operation, changes, requested_by_id, rule, summary, requested_at, status, decided_at)
       VALUES ('travelers', $1, 'update', '{"quantity": {"old": 10, "new": 12}}', $2, $3, $4, now() - $5::float8 * interval '1 hour', $6::text,
               CASE WHEN $6::text = 'pending' THEN NULL ELSE now() END)
       RETURNING id`,
      [travelerId.get('T-RUN-1'), t.users[a.by].id, a.rule, `Quantity of T-RUN-1 (${a.hoursAgo} h ago)`, a.hoursAgo, a.status],
    );
    approvalIds.push(row.id);
  }
}, 120_000);

afterAll(async () => {
  await client?.end();
  await t?.close();
});

// ------------------------------------------------------------------ expectations from the plan

const round2 = (n: number) => Math.round(n * 100) / 100;

function expectedLabor(): DashboardSummary['laborThisWeek'] {
  const thisWeek = LABOR.filter((l) => l.hours !== null && l.start >= 0 && l.start < 7 * 24 && l.step !== null);
  return CENTERS.filter((c) => c.active)
    .map((c) => {
      const entries = thisWeek.filter((l) => stepRef.get(l.step!)!.center === c.code);
      const steps = new Set(entries.map((l) => l.step!));
      return {
        work_center_id: centerId[c.code],
        code: c.code,
        name: c.name,
        actual_hours: round2(entries.reduce((sum, l) => sum + l.hours!, 0)),
        estimated_hours: round2([...steps].reduce((sum, key) => sum + stepRef.get(key)!.estimate, 0)),
      };
    })
    .sort((a, b) => a.code.localeCompare(b.code));
}

const ACTIVE: TravelerStatus[] = ['draft', 'released', 'in_progress', 'on_hold'];
/** Every status, in the order the dashboard lists them. */
const STATUSES: TravelerStatus[] = ['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled'];
/** The dashboard shows at most this many late travelers and pending requests; the counts say how many in all. */
const LATE_SHOWN = 10;
const PENDING_SHOWN = 5;

function expectedLate(): DashboardSummary['lateTravelers'] {
  const base = new Date(`${today}T00:00:00Z`).getTime();
  return TRAVELERS.filter((p) => p.due !== null && p.due < 0 && ACTIVE.includes(p.status))
    .sort((a, b) => a.due! - b.due! || a.number.localeCompare(b.number))
    .slice(0, LATE_SHOWN)
    .map((p) => ({
      id: travelerId.get(p.number)!,
      number: p.number,
      due_date: new Date(base + p.due! * 86_400_000).toISOString().slice(0, 10),
      status: p.status,
      part_number: partNumber,
      customer_name: customer.name,
      days_late: -p.due!,
    }));
}

async function expectedPending(role: Role): Promise<{ count: number; list: DashboardSummary['pendingApprovalList'] }> {
  const mine = APPROVALS.map((a, i) => ({ ...a, id: approvalIds[i]! }))
    .filter((a) => a.status === 'pending' && a.by !== role && RULE_APPROVERS[a.rule]!.includes(role))
    .sort((a, b) => b.hoursAgo - a.hoursAgo);
  const rows = (
    await client.query<{ id: number; summary: string; requested_at: Date; full_name: string }>(
      'SELECT a.id, a.summary, a.requested_at, u.full_name FROM approvals a JOIN users u ON u.id = a.requested_by_id WHERE a.id = ANY($1)',
      [mine.map((a) => a.id)],
    )
  ).rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    count: mine.length,
    list: mine.slice(0, PENDING_SHOWN).map((a) => {
      const r = byId.get(a.id)!;
      return { id: r.id, summary: r.summary, requested_at: r.requested_at.toISOString(), requester_name: r.full_name };
    }),
  };
}

const inbox = (role: Role) => ({ id: t.users[role].id, role });

// ------------------------------------------------------------------ the figures

describe('dashboard figures match the data', () => {
  it('counts travelers by status, every status listed, also the empty ones', async () => {
    const summary = await dashboardSummary(t.db.sequelize);
    expect(summary.travelersByStatus).toEqual(STATUSES.map((status) => ({ status, count: TRAVELERS.filter((p) => p.status === status).length })));
    expect(summary.openWorkOrders).toBe(3);
  });

  it('lists late travelers that are still active, most overdue first, with customer and days late', async () => {
    const summary = await dashboardSummary(t.db.sequelize);
    const late = expectedLate();
    expect(late.map((l) => l.number)).toEqual(['T-REL-1', 'T-HOLD-1', 'T-RUN-1']);
    expect(summary.lateTravelers).toEqual(late);
    expect(summary.lateTravelerCount).toBe(late.length);
    // Completed and cancelled travelers past their date are history, not late work; due today is not late yet.
    expect(summary.lateTravelers.map((l) => l.number)).not.toContain('T-DONE-1');
    expect(summary.lateTravelers.map((l) => l.number)).not.toContain('T-CAN-1');
    expect(summary.lateTravelers.map((l) => l.number)).not.toContain('T-DRAFT-2');
  });

  it('sums this week’s closed labor per active work center against the estimates of the steps worked', async () => {
    const summary = await dashboardSummary(t.db.sequelize);
    expect(summary.weekStart).toBe(await sequelizeValue<string>(`SELECT to_char(date_trunc('week', now()), 'YYYY-MM-DD') AS v`));
    expect(new Date(`${summary.weekStart}T00:00:00Z`).getUTCDay()).toBe(1);
    const expected = expectedLabor();
    expect(summary.laborThisWeek).toEqual(expected);
    // Spelled out, so that the plan's arithmetic is checked too: ASSY 1.5 + 0.25 (one step, estimate 2)
    // + 0.25 on a completed traveler (estimate 0.5); BEND 2.25 + 0.5 manual (estimates 1.5 + 0.75);
    // last week's, next week's, open, step-less, no-center and retired-center labor count nowhere.
    expect(summary.laborThisWeek.map(({ code, actual_hours, estimated_hours }) => ({ code, actual_hours, estimated_hours }))).toEqual([
      { code: 'ASSY', actual_hours: 2, estimated_hours: 2.5 },
      { code: 'BEND', actual_hours: 2.75, estimated_hours: 2.25 },
      { code: 'CUT', actual_hours: 0, estimated_hours: 0 },
    ]);
  });

  it('counts and lists the pending requests each person may decide: never their own, only under their role', async () => {
    for (const role of ['approver', 'admin', 'engineer', 'quality', 'operator', 'viewer'] as Role[]) {
      const summary = await dashboardSummary(t.db.sequelize, inbox(role));
      const expected = await expectedPending(role);
      expect({ role, count: summary.pendingApprovals, list: summary.pendingApprovalList }).toEqual({ role, ...expected });
    }
    const approver = await expectedPending('approver');
    expect(approver.count).toBe(6); // the engineer's six, not the approver's own nor the admin-only one
    expect(approver.list).toHaveLength(PENDING_SHOWN);
    expect((await expectedPending('admin')).count).toBe(8);
    expect((await dashboardSummary(t.db.sequelize)).pendingApprovals).toBe(0);
  });

  it('before anything was recorded: zeros, nothing late, no labor, and still the week', async () => {
    expect(emptySummary.travelersByStatus).toEqual(STATUSES.map((status) => ({ status, count: 0 })));
    expect(emptySummary).toMatchObject({ lateTravelers: [], lateTravelerCount: 0, openWorkOrders: 0, laborThisWeek: [] });
    expect(emptySummary.weekStart).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('GET /admin/api/dashboard', () => {
  it.each<[Role, Role | null]>([
    ['approver', 'approver'],
    ['admin', 'admin'],
    ['engineer', 'engineer'],
    // Viewers do not read approval requests: the panel asks the service with no one to decide.
    ['viewer', null],
  ])('as %s returns the service’s figures', async (role, decider) => {
    const agent = await t.signIn(role);
    const res = await agent.get('/admin/api/dashboard');
    expect(res.status).toBe(200);
    const direct = await dashboardSummary(t.db.sequelize, decider ? inbox(decider) : undefined);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(direct)));
    expect(res.body.laborThisWeek).toEqual(expectedLabor());
    expect(res.body.lateTravelers).toEqual(expectedLate());
    const pending = decider ? await expectedPending(decider) : { count: 0, list: [] };
    expect({ count: res.body.pendingApprovals, list: res.body.pendingApprovalList }).toEqual(pending);
  });

  it('is refused without a session', async () => {
    expect((await supertest(t.app).get('/admin/api/dashboard')).status).toBe(401);
  });
});
