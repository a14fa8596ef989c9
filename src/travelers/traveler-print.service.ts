import { QueryTypes, Transaction, type Sequelize } from 'sequelize';
import type { Disposition, StepStatus, TravelerStatus } from '../models/constants.js';
import { laborSummary, type LaborSummary } from './labor.service.js';

/**
 * Everything a printed traveler shows, read at one moment: the header, the routing with its
 * checks and sign-offs, the manual steps in their place, and the labor against the estimates.
 */

export interface PrintHeader {
  id: number;
  number: string;
  status: TravelerStatus;
  status_reason: string | null;
  quantity: number;
  /** YYYY-MM-DD: a calendar date, never shifted by a time zone. */
  due_date: string | null;
  released_at: Date | null;
  started_at: Date | null;
  completed_at: Date | null;
  notes: string | null;
  work_order_number: string;
  customer_code: string;
  customer_name: string;
  part_number: string;
  part_description: string;
  revision_code: string;
}

export interface PrintWorkCenter {
  code: string;
  name: string;
}

export interface PrintSubStep {
  id: number;
  sequence: number;
  description: string;
  requires_measurement: boolean;
  unit: string | null;
  lower_limit: number | null;
  upper_limit: number | null;
  measured_value: number | null;
  out_of_limits: boolean;
  completed_at: Date | null;
  completed_by: string | null;
  disposition: Disposition | null;
  disposition_note: string | null;
  disposition_by: string | null;
  disposition_at: Date | null;
}

/** What routing steps and manual steps both show: the work and where its sign-off stands. */
interface PrintStepWork {
  id: number;
  operation: string;
  instructions: string | null;
  estimated_hours: number;
  status: StepStatus;
  started_at: Date | null;
  completed_at: Date | null;
  completed_by: string | null;
}

export interface PrintRoutingStep extends PrintStepWork {
  kind: 'routing';
  step_number: number;
  work_center: PrintWorkCenter;
  is_parallel: boolean;
  sub_steps: PrintSubStep[];
}

export interface PrintManualStep extends PrintStepWork {
  kind: 'manual';
  after_step_number: number;
  reason: string;
  work_center: PrintWorkCenter | null;
  added_by: string;
}

export type PrintStep = PrintRoutingStep | PrintManualStep;

export interface TravelerPrintData {
  header: PrintHeader;
  /** Routing steps and manual steps in the order they are worked (a manual step "after N" follows step N). */
  steps: PrintStep[];
  labor: LaborSummary;
  /** When the data was read (the database's clock). */
  printedAt: Date;
}

interface HeaderRow extends PrintHeader {
  printed_at: Date;
}

// The rows as read: a step as printed, with its work center's code and name in columns of their own.
interface StepRow extends Omit<PrintRoutingStep, 'kind' | 'work_center' | 'sub_steps'> {
  wc_code: string;
  wc_name: string;
}

interface SubStepRow extends PrintSubStep {
  traveler_step_id: number;
}

interface ManualStepRow extends Omit<PrintManualStep, 'kind' | 'work_center'> {
  wc_code: string | null;
  wc_name: string | null;
}

// Whether numeric arrives as text or number depends on the connection's type parsers.
const decimal = (value: number | string | null): number | null => (value === null ? null : Number(value));

/** Manual steps come after the routing step they follow, in the order they were added. */
function workOrder(step: PrintStep): [number, number, number] {
  return step.kind === 'routing' ? [step.step_number, 0, 0] : [step.after_step_number, 1, step.id];
}

function inWorkOrder(steps: PrintStep[]): PrintStep[] {
  return [...steps].sort((a, b) => {
    const [a1, a2, a3] = workOrder(a);
    const [b1, b2, b3] = workOrder(b);
    return a1 - b1 || a2 - b2 || a3 - b3;
  });
}

async function readTraveler(sequelize: Sequelize, travelerId: number, transaction: Transaction) {
  const select = <T extends object>(sql: string) => sequelize.query<T>(sql, { replacements: { id: travelerId }, type: QueryTypes.SELECT, transaction });

  const [header] = await select<HeaderRow>(
    `SELECT t.id, t.number, t.status, t.status_reason, t.quantity, to_char(t.due_date, 'YYYY-MM-DD') AS due_date,
            t.released_at, t.started_at, t.completed_at, t.notes,
            w.number AS work_order_number, c.code AS customer_code, c.name AS customer_name,
            p.part_number, p.description AS part_description, r.revision_code, now() AS printed_at
       FROM travelers t
       JOIN work_orders w ON w.id = t.work_order_id
       JOIN customers c ON c.id = t.customer_id
       JOIN parts p ON p.id = t.part_id
       JOIN revisions r ON r.id = t.revision_id
      WHERE t.id = :id`,
  );
  if (!header) return null;

  const steps = await select<StepRow>(
    `SELECT s.id, s.step_number, s.operation, s.instructions, wc.code AS wc_code, wc.name AS wc_name,
            s.estimated_hours, s.is_parallel, s.status, s.started_at, s.completed_at, u.full_name AS completed_by
       FROM traveler_steps s
       JOIN work_centers wc ON wc.id = s.work_center_id
       LEFT JOIN users u ON u.id = s.completed_by_id
      WHERE s.traveler_id = :id
      ORDER BY s.step_number`,
  );
  const subSteps = await select<SubStepRow>(
    `SELECT ss.id, ss.traveler_step_id, ss.sequence, ss.description, ss.requires_measurement, ss.unit,
            ss.lower_limit, ss.upper_limit, ss.measured_value, ss.out_of_limits,
            ss.completed_at, cu.full_name AS completed_by,
            ss.disposition, ss.disposition_note, du.full_name AS disposition_by, ss.disposition_at
       FROM traveler_sub_steps ss
       JOIN traveler_steps s ON s.id = ss.traveler_step_id
       LEFT JOIN users cu ON cu.id = ss.completed_by_id
       LEFT JOIN users du ON du.id = ss.disposition_by_id
      WHERE s.traveler_id = :id
      ORDER BY s.step_number, ss.sequence`,
  );
  const manualSteps = await select<ManualStepRow>(
    `SELECT m.id, m.after_step_number, m.operation, m.instructions, m.reason, wc.code AS wc_code, wc.name AS wc_name,
            m.estimated_hours, au.full_name AS added_by, m.status, m.started_at, m.completed_at, cu.full_name AS completed_by
       FROM manual_steps m
       LEFT JOIN work_centers wc ON wc.id = m.work_center_id
       JOIN users au ON au.id = m.added_by_id
       LEFT JOIN users cu ON cu.id = m.completed_by_id
      WHERE m.traveler_id = :id
      ORDER BY m.after_step_number, m.id`,
  );
  return { header, steps, subSteps, manualSteps };
}

/** The printed traveler's content, or null when there is no such traveler. */
export async function travelerPrintData(sequelize: Sequelize, travelerId: number): Promise<TravelerPrintData | null> {
  // One snapshot, so that a sign-off made while printing shows either whole or not at all.
  const read = await sequelize.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ, readOnly: true }, (transaction) =>
    readTraveler(sequelize, travelerId, transaction),
  );
  if (!read) return null;
  // Labor is read after the snapshot (the labor service opens no transaction of its own): at
  // worst it counts a clock-out that the steps above do not show yet.
  const labor = await laborSummary(sequelize, travelerId);

  const subsByStep = new Map<number, PrintSubStep[]>();
  for (const { traveler_step_id, ...sub } of read.subSteps) {
    const list = subsByStep.get(traveler_step_id) ?? [];
    list.push({
      ...sub,
      lower_limit: decimal(sub.lower_limit),
      upper_limit: decimal(sub.upper_limit),
      measured_value: decimal(sub.measured_value),
      out_of_limits: Boolean(sub.out_of_limits),
    });
    subsByStep.set(traveler_step_id, list);
  }
  const routing: PrintRoutingStep[] = read.steps.map(({ wc_code, wc_name, ...s }) => ({
    kind: 'routing',
    ...s,
    estimated_hours: Number(s.estimated_hours),
    work_center: { code: wc_code, name: wc_name },
    sub_steps: subsByStep.get(s.id) ?? [],
  }));
  const manual: PrintManualStep[] = read.manualSteps.map(({ wc_code, wc_name, ...m }) => ({
    kind: 'manual',
    ...m,
    estimated_hours: Number(m.estimated_hours),
    work_center: wc_code !== null && wc_name !== null ? { code: wc_code, name: wc_name } : null,
  }));
  const { printed_at, ...header } = read.header;
  return { header, steps: inWorkOrder([...routing, ...manual]), labor, printedAt: printed_at };
}
