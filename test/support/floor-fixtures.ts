import { systemActor } from '../../src/audit/actor.js';
import { inTransaction, type WriteOptions } from '../../src/db/unit-of-work.js';
import { Approval, LaborEntry, ManualStep, Traveler, TravelerSubStep, type TravelerStep } from '../../src/models/index.js';
import { copyRoutingToTraveler } from '../../src/travelers/routing-copy.js';
import { buildFloorReference, type FloorReference } from './floor-reference.js';
import { COMPLETED_DEVIATION, RUNNING_MANUAL_STEP } from './floor-routings.js';
import type { TestDatabase } from './test-database.js';

export { FLOOR_PASSWORD, type FloorPerson, type FloorReference } from './floor-reference.js';

/**
 * A shop floor with a traveler in every state, built per call as the system actor "test:setup"
 * through the models (so every row passes the database's triggers and is audited as the demo's
 * history is), with numbers unique to a tag: tests check these rows, never the demo shop's.
 */

export interface FloorTraveler {
  id: number;
  number: string;
  workOrderId: number;
  partId: number;
  revisionId: number;
  quantity: number;
  notes: string | null;
  /** YYYY-MM-DD. */
  dueDate: string;
  /** Traveler step ids by step number. */
  steps: Record<number, number>;
  /** Check (traveler sub-step) ids by step number, then sequence. */
  checks: Record<number, Record<number, number>>;
}

export interface Floor extends FloorReference {
  /** Every traveler number of this floor starts with it (`T-<tag>-`). */
  travelerPrefix: string;
  /** Manifold rev B, every step signed off (the inspection by quality) with labor; one measurement outside its limits, dispositioned. */
  completed: FloorTraveler & { laborEntryIds: number[]; deviation: typeof COMPLETED_DEVIATION & { checkId: number } };
  /**
   * Manifold rev B, in progress: steps 10 and 20 signed off, step 30 in progress with the floor's
   * operator clocked in on it, step 40 (parallel to 30) ready, a manual step after 40 pending.
   */
  running: FloorTraveler & { manualStepId: number; openEntryId: number; laborEntryIds: number[] };
  /** Shaft rev 01, released, nothing started; a pending request (quantity 250 → 260) for approvers. */
  released: FloorTraveler & { pendingApprovalId: number };
  /** Bracket rev A, a draft. */
  draft: FloorTraveler;
  /** Bracket rev A, released then put on hold. */
  held: FloorTraveler & { reason: string };
  /** Bracket rev A, cancelled as a draft. */
  cancelled: FloorTraveler & { reason: string };
}

const DAY = 86_400_000;
const HOUR = 3_600_000;
const ago = (ms: number) => new Date(Date.now() - ms);

let counter = 0;

/** `db`: a test database, or a connection as the database's owner (the app's own login may not release travelers this way). */
export async function buildFloor(db: Pick<TestDatabase, 'sequelize'>, tag = `F${++counter}`): Promise<Floor> {
  if (!/^[A-Z0-9]{1,6}$/.test(tag)) throw new Error(`A floor's tag is 1 to 6 capitals or digits, not ${tag}`);
  return inTransaction(db.sequelize, systemActor('test:setup'), async (options) => {
    const ref = await buildFloorReference(tag, options);
    const { people, workOrders, revisions } = ref;
    let n = 0;

    async function traveler(
      order: keyof FloorReference['workOrders'],
      revision: keyof FloorReference['revisions'],
      values: { quantity?: number; notes?: string },
    ) {
      const wo = workOrders[order];
      const created = await Traveler.create(
        {
          number: `T-${tag}-${String(++n).padStart(2, '0')}`,
          work_order_id: wo.id,
          part_id: wo.partId,
          revision_id: revisions[revision].id,
          quantity: values.quantity ?? wo.quantity,
          due_date: wo.dueDate,
          notes: values.notes ?? null,
        } as never,
        options,
      );
      const steps = await copyRoutingToTraveler(created.id, revisions[revision].id, options);
      const checks: Record<number, Record<number, number>> = {};
      for (const step of steps) {
        const subs = await TravelerSubStep.findAll({ where: { traveler_step_id: step.id }, transaction: options.transaction });
        checks[step.step_number] = Object.fromEntries(subs.map((s) => [s.sequence, s.id]));
      }
      const info: FloorTraveler = {
        id: created.id,
        number: created.number,
        workOrderId: wo.id,
        partId: wo.partId,
        revisionId: revisions[revision].id,
        quantity: created.quantity,
        notes: created.notes,
        dueDate: wo.dueDate,
        steps: Object.fromEntries(steps.map((s) => [s.step_number, s.id])),
        checks,
      };
      return { record: created, steps, info };
    }

    const completed = await traveler('completed', 'manifoldB', {});
    let at = ago(30 * DAY);
    await completed.record.update({ status: 'released', released_at: at }, options);
    at = new Date(at.getTime() + DAY);
    await completed.record.update({ status: 'in_progress', started_at: at }, options);
    const completedLabor: number[] = [];
    let deviationCheckId = 0;
    for (const step of completed.steps) {
      const final = step.step_number === COMPLETED_DEVIATION.stepNumber;
      const worked = await workStep(step, at, Number(step.estimated_hours) * 1.1 + 0.1, final ? people.quality.id : people.operator.id, options, {
        deviation: final ? { ...COMPLETED_DEVIATION, by: people.quality.id } : undefined,
      });
      completedLabor.push(worked.entryId);
      if (worked.deviationCheckId) deviationCheckId = worked.deviationCheckId;
      at = new Date(at.getTime() + DAY / 2);
    }
    await completed.record.update({ status: 'completed', completed_at: at }, options);

    const running = await traveler('running', 'manifoldB', { quantity: 60, notes: 'First 60 of 120.' });
    // Added while it was still a draft; on a released traveler this would need approval.
    const manual = await ManualStep.create(
      {
        traveler_id: running.info.id,
        after_step_number: RUNNING_MANUAL_STEP.afterStepNumber,
        operation: RUNNING_MANUAL_STEP.operation,
        reason: RUNNING_MANUAL_STEP.reason,
        work_center_id: ref.centers[RUNNING_MANUAL_STEP.center].id,
        estimated_hours: RUNNING_MANUAL_STEP.hours,
        added_by_id: people.engineer.id,
      } as never,
      options,
    );
    const runningReleased = ago(4 * DAY);
    await running.record.update({ status: 'released', released_at: runningReleased }, options);
    await running.record.update({ status: 'in_progress', started_at: new Date(runningReleased.getTime() + DAY / 4) }, options);
    const [saw, op1, op2] = running.steps;
    const runningLabor = [
      (await workStep(saw!, ago(5 * HOUR), 0.3, people.operator.id, options)).entryId,
      (await workStep(op1!, ago(4.5 * HOUR), 1.6, people.operator.id, options)).entryId,
    ];
    const open = await workStep(op2!, ago(1.5 * HOUR), 0, people.operator.id, options, { open: true });

    const released = await traveler('released', 'shaft01', {});
    await released.record.update({ status: 'released', released_at: ago(DAY) }, options);
    const approval = await Approval.create(
      {
        target_table: 'travelers',
        target_id: released.info.id,
        operation: 'update',
        changes: { quantity: { old: released.info.quantity, new: 260 } },
        base_version: released.record.version,
        reason: 'Customer increased the order by 10 pieces (PO change 3).',
        requested_by_id: people.engineer.id,
        rule: 'traveler.locked_content',
        summary: `Quantity of ${released.info.number}: ${released.info.quantity} → 260`,
      } as never,
      options,
    );

    const draft = await traveler('open', 'bracketA', { notes: 'Material on order: 7075 plate, PO 88412.' });

    const held = await traveler('held', 'bracketA', {});
    const holdReason = 'Customer-supplied material not received.';
    await held.record.update({ status: 'released', released_at: ago(6 * DAY) }, options);
    await held.record.update({ status: 'on_hold', status_reason: holdReason }, options);

    const cancelled = await traveler('open', 'bracketA', { quantity: 4 });
    const cancelReason = `Duplicate of ${draft.info.number}.`;
    await cancelled.record.update({ status: 'cancelled', status_reason: cancelReason }, options);

    return {
      ...ref,
      travelerPrefix: `T-${tag}-`,
      completed: { ...completed.info, laborEntryIds: completedLabor, deviation: { ...COMPLETED_DEVIATION, checkId: deviationCheckId } },
      running: { ...running.info, manualStepId: manual.id, openEntryId: open.entryId, laborEntryIds: runningLabor },
      released: { ...released.info, pendingApprovalId: approval.id },
      draft: draft.info,
      held: { ...held.info, reason: holdReason },
      cancelled: { ...cancelled.info, reason: cancelReason },
    };
  });
}

/**
 * Works a step as the floor does (the database wants that order): start it, record its checks
 * at the middle of their limits (or the deviation's value), sign it off, and book the labor. An
 * open step gets an open clock-in instead.
 */
async function workStep(
  step: TravelerStep,
  start: Date,
  hours: number,
  by: number,
  options: WriteOptions,
  how: { open?: boolean; deviation?: typeof COMPLETED_DEVIATION & { by: number } } = {},
): Promise<{ entryId: number; deviationCheckId: number | null }> {
  await step.update({ status: 'in_progress', started_at: start }, options);
  if (how.open) {
    const entry = await LaborEntry.create(
      { user_id: by, traveler_id: step.traveler_id, traveler_step_id: step.id, started_at: start, entry_type: 'clock' } as never,
      options,
    );
    return { entryId: entry.id, deviationCheckId: null };
  }
  const end = new Date(start.getTime() + hours * HOUR);
  const subs = await TravelerSubStep.findAll({ where: { traveler_step_id: step.id }, order: [['sequence', 'ASC']], transaction: options.transaction });
  let deviationCheckId: number | null = null;
  for (const sub of subs) {
    const deviates = how.deviation?.sequence === sub.sequence;
    const middle = sub.lower_limit !== null && sub.upper_limit !== null ? Number(((Number(sub.lower_limit) + Number(sub.upper_limit)) / 2).toFixed(4)) : null;
    const value = deviates ? how.deviation!.value : middle;
    await sub.update({ measured_value: sub.requires_measurement ? value : null, completed_at: end, completed_by_id: by }, options);
    if (deviates) {
      const d = how.deviation!;
      await sub.update({ disposition: d.disposition, disposition_note: d.note, disposition_by_id: d.by, disposition_at: end }, options);
      deviationCheckId = sub.id;
    }
  }
  await step.update({ status: 'completed', completed_at: end, completed_by_id: by }, options);
  const entry = await LaborEntry.create(
    { user_id: by, traveler_id: step.traveler_id, traveler_step_id: step.id, started_at: start, ended_at: end, entry_type: 'clock' } as never,
    options,
  );
  return { entryId: entry.id, deviationCheckId };
}
