import type { Sequelize, Transaction } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canRecordDisposition, canWorkSteps } from '../auth/access-rules.js';
import { DISPOSITION_LABELS, DISPOSITIONS, type Disposition } from '../models/constants.js';
import { LaborEntry, ManualStep, Traveler, TravelerStep, TravelerSubStep, User } from '../models/index.js';
import { decimalNumber } from '../models/validation.js';
import { decimalRefusal, parseDecimalText } from '../records/input-coercion.js';
import { RecordNotFoundError, RecordValidationError, WorkflowRefusedError } from '../records/record-errors.js';
import { executeWrite } from '../records/write-command.js';
import { formatLimits } from '../shared/limits-format.js';
import { checksClosedRefusal, labelOf, roleRefusal, signOffRefusal, startRefusal, workRefusal, type StepRef } from './step-move-rules.js';
import { moveState } from './step-moves.js';
import { openStepCount } from './traveler-lifecycle.service.js';
import { clockOutTime, transactionNow } from './work-clock.js';

/**
 * Working a traveler on the floor: starting steps, recording checks and measurements, quality's
 * dispositions, and sign-offs. Each write asks the move rules of step-move-rules.ts over the rows it
 * has locked, so that the person gets the reason the panel already showed them; order, states and
 * checks are also enforced by the database (migrations/*-traveler-lifecycle.up.sql). The
 * follow-on moves happen in the same transaction (the first step started puts the traveler in
 * progress; the last sign-off completes it).
 */
export type { StepKind, StepRef } from './step-move-rules.js';
export { labelOf } from './step-move-rules.js';

type AnyStep = TravelerStep | ManualStep;

export interface SignOffResult {
  step: AnyStep;
  travelerCompleted: boolean;
  message: string;
}

function requireWorker(actor: UserActor): void {
  if (!canWorkSteps(asSessionUser(actor))) throw new AccessDeniedError(roleRefusal('start', actor.role));
}

export function stepLabel(step: AnyStep): string {
  return step instanceof TravelerStep ? labelOf('routing', step.step_number, step.operation) : labelOf('manual', step.after_step_number, step.operation);
}

function refOf(step: AnyStep): StepRef {
  return step instanceof TravelerStep ? { kind: 'routing', id: step.id } : { kind: 'manual', id: step.id };
}

async function findStep(ref: StepRef, transaction: Transaction): Promise<AnyStep> {
  const model = ref.kind === 'routing' ? TravelerStep : ManualStep;
  const step = await (model as typeof TravelerStep).findByPk(ref.id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!step) throw new RecordNotFoundError(ref.kind === 'routing' ? 'traveler_steps' : 'manual_steps', ref.id);
  return step as AnyStep;
}

/**
 * Locks the traveler, then the step: every piece of work on one traveler is serialised, so two
 * people signing neighbouring steps at once see each other's sign-offs.
 */
export async function lockWork(ref: StepRef, transaction: Transaction): Promise<{ traveler: Traveler; step: AnyStep }> {
  const model = ref.kind === 'routing' ? TravelerStep : ManualStep;
  const peek = await (model as typeof TravelerStep).findByPk(ref.id, { attributes: ['id', 'traveler_id'], transaction });
  if (!peek) throw new RecordNotFoundError(ref.kind === 'routing' ? 'traveler_steps' : 'manual_steps', ref.id);
  const traveler = await Traveler.findByPk(peek.traveler_id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!traveler) throw new RecordNotFoundError('travelers', peek.traveler_id);
  return { traveler, step: await findStep(ref, transaction) };
}

/** Puts a pending step in progress (and a released traveler, on its first step); the caller has asked the rules. */
export async function markStarted(traveler: Traveler, step: AnyStep, now: Date, transaction: Transaction): Promise<boolean> {
  if (step.status !== 'pending') return false;
  if (traveler.status === 'released') await traveler.update({ status: 'in_progress' }, { transaction });
  await (step as TravelerStep).update({ status: 'in_progress', started_at: now }, { transaction });
  return true;
}

/** Starts a pending step (and the traveler, on its first step) for work that needs it: recording a check. */
async function ensureStarted(sequelize: Sequelize, traveler: Traveler, step: AnyStep, now: Date, transaction: Transaction): Promise<boolean> {
  const refusal = workRefusal(await moveState(sequelize, refOf(step), transaction));
  if (refusal) throw new WorkflowRefusedError(refusal);
  return markStarted(traveler, step, now, transaction);
}

/** Floor work through the one write pipeline, with the transaction's own time. */
function run<T>(sequelize: Sequelize, actor: UserActor, table: string, work: (t: Transaction, now: Date) => Promise<T>): Promise<T> {
  return executeWrite(sequelize, { actor, table, run: async ({ transaction }) => work(transaction, await transactionNow(sequelize, transaction)) });
}

export async function startStep(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<AnyStep> {
  requireWorker(actor);
  return run(sequelize, actor, 'traveler_steps', async (transaction, now) => {
    const { traveler, step } = await lockWork(ref, transaction);
    const refusal = startRefusal(await moveState(sequelize, ref, transaction));
    if (refusal) throw new WorkflowRefusedError(refusal);
    await markStarted(traveler, step, now, transaction);
    return step;
  });
}

/**
 * Signs a step off: who and when. The signer's own clock-in on the step is closed; anyone else
 * still clocked in must clock out first (their time is theirs to end). The last sign-off
 * completes the traveler in the same transaction.
 */
export async function signOffStep(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<SignOffResult> {
  requireWorker(actor);
  return run(sequelize, actor, 'traveler_steps', async (transaction, now) => {
    const { traveler, step } = await lockWork(ref, transaction);
    const refusal = signOffRefusal(await moveState(sequelize, ref, transaction), actor.userId);
    if (refusal) throw new WorkflowRefusedError(refusal);
    // A step signed off without a separate Start is started by its sign-off.
    await markStarted(traveler, step, now, transaction);
    const stepKey = step instanceof TravelerStep ? { traveler_step_id: step.id } : { manual_step_id: step.id };
    const mine = await LaborEntry.findOne({ where: { ...stepKey, ended_at: null, user_id: actor.userId }, transaction, lock: transaction.LOCK.UPDATE });
    if (mine) await mine.update({ ended_at: clockOutTime(mine, now) }, { transaction });
    await (step as TravelerStep).update({ status: 'completed', completed_at: now, completed_by_id: actor.userId }, { transaction });
    const remaining = await openStepCount(sequelize, traveler.id, transaction);
    let travelerCompleted = false;
    if (remaining === 0) {
      await traveler.update({ status: 'completed' }, { transaction });
      travelerCompleted = true;
    }
    const message = travelerCompleted
      ? `${stepLabel(step)} signed off. That was the last step: traveler ${traveler.number} is completed.`
      : `${stepLabel(step)} signed off.`;
    return { step, travelerCompleted, message };
  });
}

export interface CheckInput {
  /** The measured value as typed; required for a check with spec limits or "needs a measurement". */
  measuredValue?: string | number | null;
  /** False takes the tick back (while the step is still open). */
  done?: boolean;
}

export interface CheckResult {
  subStep: TravelerSubStep;
  outOfLimits: boolean;
  message: string;
}

/** A measurement as typed, read as every decimal is (records/input-coercion.ts): "12,5" is 12.5. */
function parseMeasurement(raw: CheckInput['measuredValue']): number | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
  const value = typeof raw === 'number' ? (Number.isFinite(raw) ? raw : null) : parseDecimalText(String(raw));
  if (value === null) throw new RecordValidationError({ measured_value: `${decimalRefusal('Measured value')} (you typed "${String(raw).slice(0, 40)}")` });
  try {
    decimalNumber('Measured value', 14, 4)(value);
  } catch (error) {
    throw new RecordValidationError({ measured_value: (error as Error).message });
  }
  return value;
}

/** Records one check of a step: ticked, with its measurement when it needs one. */
export async function recordCheck(sequelize: Sequelize, subStepId: number, input: CheckInput, actor: UserActor): Promise<CheckResult> {
  requireWorker(actor);
  const value = parseMeasurement(input.measuredValue);
  const done = input.done !== false;
  return run(sequelize, actor, 'traveler_sub_steps', async (transaction, now) => {
    const peek = await TravelerSubStep.findByPk(subStepId, { attributes: ['id', 'traveler_step_id'], transaction });
    if (!peek) throw new RecordNotFoundError('traveler_sub_steps', subStepId);
    const { traveler, step } = await lockWork({ kind: 'routing', id: peek.traveler_step_id }, transaction);
    const sub = (await TravelerSubStep.findByPk(subStepId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    if (done && sub.requires_measurement && value === null) {
      const limits = formatLimits(sub.lower_limit, sub.upper_limit, sub.unit);
      throw new RecordValidationError({ measured_value: `Check ${sub.sequence} (${sub.description}) needs a measured value${limits ? ` (${limits})` : ''}.` });
    }
    if (!sub.requires_measurement && value !== null) {
      throw new RecordValidationError({ measured_value: `Check ${sub.sequence} (${sub.description}) takes no measurement: just tick it.` });
    }
    if (!done && !sub.completed_at) {
      return { subStep: sub, outOfLimits: Boolean(sub.out_of_limits), message: `Check ${sub.sequence} is not ticked.` };
    }
    await ensureStarted(sequelize, traveler, step, now, transaction);
    const values: Record<string, unknown> = done
      ? { measured_value: value, completed_at: now, completed_by_id: actor.userId }
      : { measured_value: null, completed_at: null, completed_by_id: null };
    // A disposition speaks for the value it was made on: a new measurement needs a new decision.
    if (sub.disposition && Number(values.measured_value) !== Number(sub.measured_value)) {
      Object.assign(values, { disposition: null, disposition_note: null, disposition_by_id: null, disposition_at: null });
    }
    await sub.update(values, { transaction });
    await sub.reload({ transaction });
    const outOfLimits = Boolean(sub.out_of_limits);
    // A decimal comma is read, and said back, so that "1,250" meant as 1250 is caught at once.
    const typed = typeof input.measuredValue === 'string' && input.measuredValue.includes(',') ? ` (typed ${input.measuredValue.trim()})` : '';
    const message = !done
      ? `Check ${sub.sequence} is no longer ticked.`
      : outOfLimits
        ? `Check ${sub.sequence} recorded: ${sub.measured_value}${typed} is outside its limits (${formatLimits(sub.lower_limit, sub.upper_limit, sub.unit)}). The step cannot be signed off until quality records a disposition.`
        : typed
          ? `Check ${sub.sequence} recorded: ${sub.measured_value}${sub.unit ? ` ${sub.unit}` : ''}${typed}.`
          : `Check ${sub.sequence} recorded.`;
    return { subStep: sub, outOfLimits, message };
  });
}

export interface DispositionInput {
  disposition: string;
  note: string;
}

/** Quality's decision on a measurement outside its limits: signed with name, time and reason. */
export async function recordDisposition(sequelize: Sequelize, subStepId: number, input: DispositionInput, actor: UserActor): Promise<TravelerSubStep> {
  if (!canRecordDisposition(asSessionUser(actor))) throw new AccessDeniedError(roleRefusal('disposition', actor.role));
  const fields: Record<string, string> = {};
  if (!DISPOSITIONS.includes(input.disposition as Disposition)) fields.disposition = `Disposition must be one of: ${DISPOSITIONS.join(', ')}`;
  const note = (input.note ?? '').trim();
  if (note.length < 3) fields.disposition_note = 'Say why (at least 3 characters): the note is printed on the traveler.';
  if (Object.keys(fields).length) throw new RecordValidationError(fields);
  return run(sequelize, actor, 'traveler_sub_steps', async (transaction, now) => {
    const peek = await TravelerSubStep.findByPk(subStepId, { attributes: ['id', 'traveler_step_id'], transaction });
    if (!peek) throw new RecordNotFoundError('traveler_sub_steps', subStepId);
    const ref: StepRef = { kind: 'routing', id: peek.traveler_step_id };
    const { traveler } = await lockWork(ref, transaction);
    const sub = (await TravelerSubStep.findByPk(subStepId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    const closed = checksClosedRefusal(await moveState(sequelize, ref, transaction));
    if (closed) throw new WorkflowRefusedError(closed);
    if (!sub.out_of_limits) {
      throw new WorkflowRefusedError(
        `Check ${sub.sequence} (${sub.description}) is not outside its limits${sub.measured_value === null ? ' (nothing is measured yet)' : ''}: there is nothing to disposition.`,
      );
    }
    // Two people working the queue at once: the second is told, not allowed to overwrite the first.
    if (sub.disposition) {
      const by = sub.disposition_by_id ? await User.findByPk(sub.disposition_by_id, { attributes: ['full_name'], transaction }) : null;
      throw new WorkflowRefusedError(
        `Check ${sub.sequence} (${sub.description}) of ${traveler.number} already has a disposition: ${DISPOSITION_LABELS[sub.disposition]}${by ? `, by ${by.full_name}` : ''}. A new measurement would need a new one.`,
      );
    }
    await sub.update(
      { disposition: input.disposition as Disposition, disposition_note: note, disposition_by_id: actor.userId, disposition_at: now },
      { transaction },
    );
    return sub;
  });
}
