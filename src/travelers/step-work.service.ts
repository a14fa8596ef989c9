import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canRecordDisposition, canWorkSteps } from '../auth/access-rules.js';
import { DISPOSITIONS, type Disposition } from '../models/constants.js';
import { LaborEntry, ManualStep, Traveler, TravelerStep, TravelerSubStep, User } from '../models/index.js';
import { decimalNumber } from '../models/validation.js';
import { RecordNotFoundError, RecordValidationError, WorkflowRefusedError } from '../records/record-errors.js';
import { executeWrite } from '../records/write-command.js';
import { openStepCount } from './traveler-lifecycle.service.js';
import { clockOutTime, transactionNow } from './work-clock.js';

/**
 * Working a traveler on the floor: starting steps, recording checks and measurements, quality's
 * dispositions, and sign-offs. Order, states and checks are also enforced by the database
 * (migrations/*-traveler-lifecycle.up.sql); this service asks it first so that the person gets
 * the reason, and does the follow-on moves in the same transaction (the first step started puts
 * the traveler in progress; the last sign-off completes it).
 */
export type StepKind = 'routing' | 'manual';

export interface StepRef {
  kind: StepKind;
  id: number;
}

type AnyStep = TravelerStep | ManualStep;

export interface SignOffResult {
  step: AnyStep;
  travelerCompleted: boolean;
  message: string;
}

function requireWorker(actor: UserActor): void {
  if (!canWorkSteps(asSessionUser(actor))) throw new AccessDeniedError(`Your role (${actor.role}) may not work steps.`);
}


export function stepLabel(step: AnyStep): string {
  return step instanceof TravelerStep ? `Step ${step.step_number} (${step.operation})` : `The manual step "${step.operation}"`;
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

/** What must be signed off before this step can be worked (the database's own rule), if anything. */
async function blocker(sequelize: Sequelize, step: AnyStep, transaction: Transaction): Promise<string | null> {
  const routing = step instanceof TravelerStep;
  const [{ blocker: b }] = (await sequelize.query<{ blocker: string | null }>(
    'SELECT traveler_step_blocker(:traveler, :position, :parallel, :manual) AS blocker',
    {
      replacements: {
        traveler: step.traveler_id,
        position: routing ? step.step_number : (step as ManualStep).after_step_number,
        parallel: routing ? step.is_parallel : false,
        manual: routing ? null : step.id,
      },
      type: QueryTypes.SELECT,
      transaction,
    },
  )) as [{ blocker: string | null }];
  return b;
}

/**
 * Starts a pending step (and the traveler, on its first step). Called by every piece of work on a
 * step: recording a check, clocking in or signing off a step that was never started.
 */
export async function ensureStarted(sequelize: Sequelize, traveler: Traveler, step: AnyStep, now: Date, transaction: Transaction): Promise<boolean> {
  if (step.status === 'completed') throw new WorkflowRefusedError(`${stepLabel(step)} is already signed off.`);
  if (!['released', 'in_progress'].includes(traveler.status)) {
    throw new WorkflowRefusedError(`Traveler ${traveler.number} is ${traveler.status.replace('_', ' ')}: its steps are worked only while it is released or in progress.`);
  }
  if (step.status === 'in_progress') return false;
  const before = await blocker(sequelize, step, transaction);
  if (before) {
    throw new WorkflowRefusedError(`${stepLabel(step)} cannot be worked before ${before} is signed off: steps are worked in order unless the routing marks them parallel.`);
  }
  if (traveler.status === 'released') await traveler.update({ status: 'in_progress' }, { transaction });
  await (step as TravelerStep).update({ status: 'in_progress', started_at: now }, { transaction });
  return true;
}

/** Floor work through the one write pipeline, with the transaction's own time. */
function run<T>(sequelize: Sequelize, actor: UserActor, table: string, work: (t: Transaction, now: Date) => Promise<T>): Promise<T> {
  return executeWrite(sequelize, { actor, table, run: async ({ transaction }) => work(transaction, await transactionNow(sequelize, transaction)) });
}

export async function startStep(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<AnyStep> {
  requireWorker(actor);
  return run(sequelize, actor, 'traveler_steps', async (transaction, now) => {
    const { traveler, step } = await lockWork(ref, transaction);
    if (step.status === 'in_progress') throw new WorkflowRefusedError(`${stepLabel(step)} is already started.`);
    await ensureStarted(sequelize, traveler, step, now, transaction);
    return step;
  });
}

/** Why each open check stops a sign-off, in words (empty when the step can be signed off). */
async function openChecks(step: AnyStep, transaction: Transaction): Promise<string[]> {
  if (!(step instanceof TravelerStep)) return [];
  const subs = await TravelerSubStep.findAll({ where: { traveler_step_id: step.id }, order: [['sequence', 'ASC']], transaction });
  const reasons: string[] = [];
  for (const sub of subs) {
    if (!sub.completed_at) reasons.push(`check ${sub.sequence} (${sub.description}) is not done`);
    else if (sub.out_of_limits && !sub.disposition) {
      reasons.push(`check ${sub.sequence} (${sub.description}) measured ${sub.measured_value}, outside its limits: quality must record a disposition`);
    }
  }
  return reasons;
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
    await ensureStarted(sequelize, traveler, step, now, transaction);
    const open = await openChecks(step, transaction);
    if (open.length) throw new WorkflowRefusedError(`${stepLabel(step)} cannot be signed off: ${open.join('; ')}.`);
    const stepKey = step instanceof TravelerStep ? { traveler_step_id: step.id } : { manual_step_id: step.id };
    const others = await LaborEntry.findAll({
      where: { ...stepKey, ended_at: null, user_id: { [Op.ne]: actor.userId } },
      include: [{ model: User, as: 'user', attributes: ['full_name'] }],
      transaction,
    });
    if (others.length) {
      const names = others.map((e) => e.user?.full_name ?? `user #${e.user_id}`).join(', ');
      throw new WorkflowRefusedError(`${stepLabel(step)} cannot be signed off while ${names} ${others.length === 1 ? 'is' : 'are'} still clocked in on it: they clock out first.`);
    }
    const mine = await LaborEntry.findOne({ where: { ...stepKey, ended_at: null, user_id: actor.userId }, transaction, lock: transaction.LOCK.UPDATE });
    if (mine) await mine.update({ ended_at: clockOutTime(mine, now) }, { transaction });
    await (step as TravelerStep).update({ status: 'completed', completed_at: now, completed_by_id: actor.userId }, { transaction });
    const remaining = await openStepCount(traveler.id, transaction);
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

function parseMeasurement(raw: CheckInput['measuredValue']): number | null {
  if (raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '')) return null;
  const value = typeof raw === 'number' ? raw : Number(String(raw).trim().replace(',', '.'));
  if (!Number.isFinite(value)) throw new RecordValidationError({ measured_value: `Measured value must be a number (you typed "${String(raw).slice(0, 40)}")` });
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
      const limits = describeLimits(sub);
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
    const message = !done
      ? `Check ${sub.sequence} is no longer ticked.`
      : outOfLimits
        ? `Check ${sub.sequence} recorded: ${sub.measured_value} is outside its limits (${describeLimits(sub)}). The step cannot be signed off until quality records a disposition.`
        : `Check ${sub.sequence} recorded.`;
    return { subStep: sub, outOfLimits, message };
  });
}

export function describeLimits(sub: Pick<TravelerSubStep, 'lower_limit' | 'upper_limit' | 'unit'>): string {
  const unit = sub.unit ? ` ${sub.unit}` : '';
  if (sub.lower_limit !== null && sub.upper_limit !== null) return `${sub.lower_limit} to ${sub.upper_limit}${unit}`;
  if (sub.lower_limit !== null) return `at least ${sub.lower_limit}${unit}`;
  if (sub.upper_limit !== null) return `at most ${sub.upper_limit}${unit}`;
  return '';
}

export interface DispositionInput {
  disposition: string;
  note: string;
}

/** Quality's decision on a measurement outside its limits: signed with name, time and reason. */
export async function recordDisposition(sequelize: Sequelize, subStepId: number, input: DispositionInput, actor: UserActor): Promise<TravelerSubStep> {
  if (!canRecordDisposition(asSessionUser(actor))) throw new AccessDeniedError('Only quality records a disposition.');
  const fields: Record<string, string> = {};
  if (!DISPOSITIONS.includes(input.disposition as Disposition)) fields.disposition = `Disposition must be one of: ${DISPOSITIONS.join(', ')}`;
  const note = (input.note ?? '').trim();
  if (note.length < 3) fields.disposition_note = 'Say why (at least 3 characters): the note is printed on the traveler.';
  if (Object.keys(fields).length) throw new RecordValidationError(fields);
  return run(sequelize, actor, 'traveler_sub_steps', async (transaction, now) => {
    const peek = await TravelerSubStep.findByPk(subStepId, { attributes: ['id', 'traveler_step_id'], transaction });
    if (!peek) throw new RecordNotFoundError('traveler_sub_steps', subStepId);
    const { step } = await lockWork({ kind: 'routing', id: peek.traveler_step_id }, transaction);
    const sub = (await TravelerSubStep.findByPk(subStepId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    if (step.status === 'completed') throw new WorkflowRefusedError(`${stepLabel(step)} is signed off: its checks cannot change.`);
    if (!sub.out_of_limits) {
      throw new WorkflowRefusedError(`Check ${sub.sequence} (${sub.description}) is not outside its limits${sub.measured_value === null ? ' (nothing is measured yet)' : ''}: there is nothing to disposition.`);
    }
    await sub.update({ disposition: input.disposition as Disposition, disposition_note: note, disposition_by_id: actor.userId, disposition_at: now }, { transaction });
    return sub;
  });
}
