import { QueryTypes, UniqueConstraintError, ValidationError, type Sequelize } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canClockIn } from '../auth/access-rules.js';
import { LaborEntry, ManualStep, TravelerStep } from '../models/index.js';
import { RecordNotFoundError, WorkflowRefusedError } from '../records/record-errors.js';
import { executeWrite } from '../records/write-command.js';
import { alreadyClockedIn, clockInRefusal, notClockedIn, roleRefusal } from './step-move-rules.js';
import { clockedInWhere, moveState } from './step-moves.js';
import { lockWork, markStarted, stepLabel, type StepRef } from './step-work.service.js';
import { clockOutTime, transactionNow } from './work-clock.js';

/**
 * Clocking in and out on a step. Several people may be clocked in on one step at once; one
 * person is clocked in on at most one step (a unique index in the database decides races).
 * Hours are computed by PostgreSQL from the two times.
 */
export async function clockIn(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<LaborEntry> {
  return executeWrite(sequelize, {
    actor,
    table: 'labor_entries',
    model: LaborEntry,
    permit: () => {
      if (!canClockIn(asSessionUser(actor))) throw new AccessDeniedError(roleRefusal('clockIn', actor.role));
    },
    run: async ({ transaction }) => {
      const now = await transactionNow(sequelize, transaction);
      const { traveler, step } = await lockWork(ref, transaction);
      // Said with where, before the unique index (which still decides a race) refuses it.
      const refusal = clockInRefusal(await moveState(sequelize, ref, transaction), await clockedInWhere(sequelize, actor.userId, transaction));
      if (refusal) throw new WorkflowRefusedError(refusal);
      await markStarted(traveler, step, now, transaction);
      return LaborEntry.create(
        {
          user_id: actor.userId,
          traveler_id: traveler.id,
          traveler_step_id: step instanceof TravelerStep ? step.id : null,
          manual_step_id: step instanceof ManualStep ? step.id : null,
          started_at: now,
          entry_type: 'clock',
        },
        { transaction },
      );
    },
    // The unique index decided a race: say where the person is clocked in.
    translate: async (error) => {
      const openEntry = error instanceof UniqueConstraintError || (error instanceof ValidationError && /already clocked in/.test(error.message));
      if (!openEntry) return undefined;
      return new WorkflowRefusedError(alreadyClockedIn((await clockedInWhere(sequelize, actor.userId)) ?? 'another step'));
    },
  });
}

/** Ends the person's open clock-in (an administrator may end anyone's by giving the entry). */
export async function clockOut(sequelize: Sequelize, actor: UserActor, entryId?: number): Promise<LaborEntry> {
  return executeWrite(sequelize, {
    actor,
    table: 'labor_entries',
    model: LaborEntry,
    run: async ({ transaction }) => {
      const now = await transactionNow(sequelize, transaction);
      const entry = entryId
        ? await LaborEntry.findByPk(entryId, { transaction, lock: transaction.LOCK.UPDATE })
        : await LaborEntry.findOne({ where: { user_id: actor.userId, ended_at: null }, transaction, lock: transaction.LOCK.UPDATE });
      if (!entry) {
        if (entryId) throw new RecordNotFoundError('labor_entries', entryId);
        throw new WorkflowRefusedError('You are not clocked in anywhere.');
      }
      if (entry.user_id !== actor.userId && actor.role !== 'admin')
        throw new AccessDeniedError('Only the person clocked in (or an administrator) clocks them out.');
      if (entry.ended_at) throw new WorkflowRefusedError(`Labor entry #${entry.id} is already closed.`);
      await entry.update({ ended_at: clockOutTime(entry, now) }, { transaction });
      await entry.reload({ transaction });
      return entry;
    },
  });
}

/** Clocks out on a given step: the person's own open entry there. */
export async function clockOutOfStep(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<LaborEntry> {
  const where = ref.kind === 'routing' ? { traveler_step_id: ref.id } : { manual_step_id: ref.id };
  const entry = await LaborEntry.findOne({ where: { ...where, user_id: actor.userId, ended_at: null } });
  if (!entry) {
    const model = ref.kind === 'routing' ? TravelerStep : ManualStep;
    const step = await (model as typeof TravelerStep).findByPk(ref.id);
    throw new WorkflowRefusedError(notClockedIn(step ? stepLabel(step) : 'that step'));
  }
  return clockOut(sequelize, actor, entry.id);
}

export interface StepLabor {
  kind: 'routing' | 'manual';
  id: number;
  position: string;
  operation: string;
  work_center: string | null;
  estimated_hours: number;
  actual_hours: number;
  /** People clocked in on the step right now. */
  clocked_in: number;
}

export interface LaborSummary {
  steps: StepLabor[];
  byWorkCenter: Array<{ work_center: string; estimated_hours: number; actual_hours: number }>;
  total: { estimated_hours: number; actual_hours: number };
  /** Hours recorded on the traveler but not on a step. */
  unassigned_hours: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/**
 * Labor of one traveler against its routing's estimates: per step, per work center and in total.
 * Closed entries count with their computed hours; an open clock-in counts once it is closed.
 */
export async function laborSummary(sequelize: Sequelize, travelerId: number): Promise<LaborSummary> {
  const rows = await sequelize.query<{
    kind: 'routing' | 'manual';
    id: number;
    sort_a: number;
    sort_b: number;
    position: string;
    operation: string;
    work_center: string | null;
    estimated_hours: string;
    actual_hours: string;
    clocked_in: number;
  }>(
    `SELECT 'routing' AS kind, s.id, s.step_number AS sort_a, 0 AS sort_b, s.step_number::text AS position, s.operation,
            wc.code AS work_center, s.estimated_hours,
            coalesce(sum(e.hours), 0) AS actual_hours, count(e.id) FILTER (WHERE e.ended_at IS NULL)::int AS clocked_in
       FROM traveler_steps s JOIN work_centers wc ON wc.id = s.work_center_id
       LEFT JOIN labor_entries e ON e.traveler_step_id = s.id
      WHERE s.traveler_id = :id
      GROUP BY s.id, wc.code
     UNION ALL
     SELECT 'manual', m.id, m.after_step_number, m.id, 'after ' || m.after_step_number, m.operation,
            wc.code, m.estimated_hours,
            coalesce(sum(e.hours), 0), count(e.id) FILTER (WHERE e.ended_at IS NULL)::int
       FROM manual_steps m LEFT JOIN work_centers wc ON wc.id = m.work_center_id
       LEFT JOIN labor_entries e ON e.manual_step_id = m.id
      WHERE m.traveler_id = :id
      GROUP BY m.id, wc.code
      ORDER BY sort_a, sort_b`,
    { replacements: { id: travelerId }, type: QueryTypes.SELECT },
  );
  const [{ hours: unassigned }] = (await sequelize.query<{ hours: string }>(
    `SELECT coalesce(sum(hours), 0) AS hours FROM labor_entries WHERE traveler_id = :id AND traveler_step_id IS NULL AND manual_step_id IS NULL`,
    { replacements: { id: travelerId }, type: QueryTypes.SELECT },
  )) as [{ hours: string }];
  const steps: StepLabor[] = rows.map((r) => ({
    kind: r.kind,
    id: r.id,
    position: r.position,
    operation: r.operation,
    work_center: r.work_center,
    estimated_hours: Number(r.estimated_hours),
    actual_hours: Number(r.actual_hours),
    clocked_in: Number(r.clocked_in),
  }));
  const centers = new Map<string, { work_center: string; estimated_hours: number; actual_hours: number }>();
  for (const s of steps) {
    const key = s.work_center ?? '(none)';
    const c = centers.get(key) ?? { work_center: key, estimated_hours: 0, actual_hours: 0 };
    c.estimated_hours = round2(c.estimated_hours + s.estimated_hours);
    c.actual_hours = round2(c.actual_hours + s.actual_hours);
    centers.set(key, c);
  }
  const total = steps.reduce(
    (t, s) => ({ estimated_hours: round2(t.estimated_hours + s.estimated_hours), actual_hours: round2(t.actual_hours + s.actual_hours) }),
    {
      estimated_hours: 0,
      actual_hours: 0,
    },
  );
  const unassignedHours = Number(unassigned);
  return {
    steps,
    byWorkCenter: [...centers.values()].sort((a, b) => a.work_center.localeCompare(b.work_center)),
    total: { estimated_hours: total.estimated_hours, actual_hours: round2(total.actual_hours + unassignedHours) },
    unassigned_hours: unassignedHours,
  };
}
