import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canRecordDisposition, canWorkSteps } from '../auth/access-rules.js';
import { DISPOSITION_LABELS, DISPOSITIONS, type Disposition } from '../models/constants.js';
import { LaborEntry, ManualStep, Traveler, TravelerStep, TravelerSubStep, User } from '../models/index.js';
import { decimalNumber } from '../models/validation.js';
import { decimalRefusal, parseDecimalText } from '../records/input-coercion.js';
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


/** "Step 20 (Turn OD)" or 'The manual step "Extra deburr"': how refusals and notices name a step. */
export function labelOf(kind: StepKind, stepNumber: number, operation: string): string {
  return kind === 'routing' ? `Step ${stepNumber} (${operation})` : `The manual step "${operation}"`;
}

export function stepLabel(step: AnyStep): string {
  return step instanceof TravelerStep ? labelOf('routing', step.step_number, step.operation) : labelOf('manual', step.after_step_number, step.operation);
}

/**
 * What a refusal to work a step depends on. The rules below are pure: the services fill this in
 * from the locked rows and refuse with the answer; My work fills it in for every listed step and
 * shows the same answer beside a disabled button, so a person reads the reason before tapping,
 * in the very words the server would answer with.
 */
export interface WorkState {
  label: string;
  status: 'pending' | 'in_progress' | 'completed';
  travelerNumber: string;
  travelerStatus: string;
  /** What must be signed off first (traveler_step_blocker); consulted only for a pending step. */
  blocker: string | null;
}

export interface CheckState {
  sequence: number;
  description: string;
  done: boolean;
  outOfLimits: boolean;
  disposition: string | null;
  measuredValue: number | string | null;
}

export interface SignOffState extends WorkState {
  checks: CheckState[];
  /** Others still clocked in on the step, earliest first (the signer's own clock-in closes with it). */
  othersClockedIn: string[];
}

/** Why the step cannot be worked now (started, measured, clocked in on), or null. */
export function workRefusal(state: WorkState): string | null {
  if (state.status === 'completed') return `${state.label} is already signed off.`;
  if (!['released', 'in_progress'].includes(state.travelerStatus)) {
    return `Traveler ${state.travelerNumber} is ${state.travelerStatus.replace('_', ' ')}: its steps are worked only while it is released or in progress.`;
  }
  if (state.status === 'pending' && state.blocker) {
    return `${state.label} cannot be worked before ${state.blocker} is signed off: steps are worked in order unless the routing marks them parallel.`;
  }
  return null;
}

/** Why each open check stops a sign-off, in words (empty when none does). */
export function openCheckReasons(checks: readonly CheckState[]): string[] {
  const reasons: string[] = [];
  for (const c of [...checks].sort((a, b) => a.sequence - b.sequence)) {
    if (!c.done) reasons.push(`check ${c.sequence} (${c.description}) is not done`);
    else if (c.outOfLimits && !c.disposition) {
      reasons.push(`check ${c.sequence} (${c.description}) measured ${c.measuredValue === null ? '' : Number(c.measuredValue)}, outside its limits: quality must record a disposition`);
    }
  }
  return reasons;
}

/** The sign-off rule: why signing this step off now would be refused, or null when it would go through. */
export function signOffRefusal(state: SignOffState): string | null {
  const work = workRefusal(state);
  if (work) return work;
  const open = openCheckReasons(state.checks);
  if (open.length) return `${state.label} cannot be signed off: ${open.join('; ')}.`;
  const others = state.othersClockedIn;
  if (others.length) {
    return `${state.label} cannot be signed off while ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} still clocked in on it: they clock out first.`;
  }
  return null;
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
async function blocker(sequelize: Sequelize, step: AnyStep, transaction?: Transaction): Promise<string | null> {
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

/** The step as the work rule sees it; the order rule is asked only when it can matter. */
async function workState(sequelize: Sequelize, traveler: Traveler, step: AnyStep, transaction?: Transaction): Promise<WorkState> {
  const state: WorkState = { label: stepLabel(step), status: step.status, travelerNumber: traveler.number, travelerStatus: traveler.status, blocker: null };
  if (workRefusal(state) === null && step.status === 'pending') state.blocker = await blocker(sequelize, step, transaction);
  return state;
}

/** Everything the sign-off rule looks at, read with the caller's transaction (and its locks). */
async function signOffState(sequelize: Sequelize, traveler: Traveler, step: AnyStep, signerId: number, transaction?: Transaction): Promise<SignOffState> {
  const subs = step instanceof TravelerStep ? await TravelerSubStep.findAll({ where: { traveler_step_id: step.id }, order: [['sequence', 'ASC']], transaction }) : [];
  const stepKey = step instanceof TravelerStep ? { traveler_step_id: step.id } : { manual_step_id: step.id };
  const others = await LaborEntry.findAll({
    where: { ...stepKey, ended_at: null, user_id: { [Op.ne]: signerId } },
    include: [{ model: User, as: 'user', attributes: ['full_name'] }],
    // Earliest first, as My work lists them: the same words in the same order.
    order: [['started_at', 'ASC'], ['id', 'ASC']],
    transaction,
  });
  return {
    ...(await workState(sequelize, traveler, step, transaction)),
    checks: subs.map((sub) => ({
      sequence: sub.sequence,
      description: sub.description,
      done: Boolean(sub.completed_at),
      outOfLimits: Boolean(sub.out_of_limits),
      disposition: sub.disposition,
      measuredValue: sub.measured_value,
    })),
    othersClockedIn: others.map((e) => e.user?.full_name ?? `user #${e.user_id}`),
  };
}

/**
 * Why a sign-off of this step by this person would be refused now, or null: the sign-off's own
 * rule over the same rows, read without taking locks (the step action's page shows it).
 */
export async function signOffReadiness(sequelize: Sequelize, ref: StepRef, signer: { id: number }): Promise<string | null> {
  const model = ref.kind === 'routing' ? TravelerStep : ManualStep;
  const step = (await (model as typeof TravelerStep).findByPk(ref.id)) as AnyStep | null;
  if (!step) throw new RecordNotFoundError(ref.kind === 'routing' ? 'traveler_steps' : 'manual_steps', ref.id);
  const traveler = await Traveler.findByPk(step.traveler_id);
  if (!traveler) throw new RecordNotFoundError('travelers', step.traveler_id);
  return signOffRefusal(await signOffState(sequelize, traveler, step, signer.id));
}

/**
 * Starts a pending step (and the traveler, on its first step). Called by every piece of work on a
 * step: recording a check, clocking in or signing off a step that was never started.
 */
export async function ensureStarted(sequelize: Sequelize, traveler: Traveler, step: AnyStep, now: Date, transaction: Transaction): Promise<boolean> {
  const refusal = workRefusal(await workState(sequelize, traveler, step, transaction));
  if (refusal) throw new WorkflowRefusedError(refusal);
  if (step.status === 'in_progress') return false;
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

/**
 * Signs a step off: who and when. The signer's own clock-in on the step is closed; anyone else
 * still clocked in must clock out first (their time is theirs to end). The last sign-off
 * completes the traveler in the same transaction.
 */
export async function signOffStep(sequelize: Sequelize, ref: StepRef, actor: UserActor): Promise<SignOffResult> {
  requireWorker(actor);
  return run(sequelize, actor, 'traveler_steps', async (transaction, now) => {
    const { traveler, step } = await lockWork(ref, transaction);
    const refusal = signOffRefusal(await signOffState(sequelize, traveler, step, actor.userId, transaction));
    if (refusal) throw new WorkflowRefusedError(refusal);
    // A step signed off without a separate Start is started by its sign-off.
    await ensureStarted(sequelize, traveler, step, now, transaction);
    const stepKey = step instanceof TravelerStep ? { traveler_step_id: step.id } : { manual_step_id: step.id };
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
    // A decimal comma is read, and said back, so that "1,250" meant as 1250 is caught at once.
    const typed = typeof input.measuredValue === 'string' && input.measuredValue.includes(',') ? ` (typed ${input.measuredValue.trim()})` : '';
    const message = !done
      ? `Check ${sub.sequence} is no longer ticked.`
      : outOfLimits
        ? `Check ${sub.sequence} recorded: ${sub.measured_value}${typed} is outside its limits (${describeLimits(sub)}). The step cannot be signed off until quality records a disposition.`
        : typed
          ? `Check ${sub.sequence} recorded: ${sub.measured_value}${sub.unit ? ` ${sub.unit}` : ''}${typed}.`
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
    const { traveler, step } = await lockWork({ kind: 'routing', id: peek.traveler_step_id }, transaction);
    const sub = (await TravelerSubStep.findByPk(subStepId, { transaction, lock: transaction.LOCK.UPDATE }))!;
    if (step.status === 'completed') throw new WorkflowRefusedError(`${stepLabel(step)} is signed off: its checks cannot change.`);
    if (traveler.status === 'cancelled') throw new WorkflowRefusedError(`Traveler ${traveler.number} is cancelled: its checks await no disposition.`);
    if (!sub.out_of_limits) {
      throw new WorkflowRefusedError(`Check ${sub.sequence} (${sub.description}) is not outside its limits${sub.measured_value === null ? ' (nothing is measured yet)' : ''}: there is nothing to disposition.`);
    }
    // Two people working the queue at once: the second is told, not allowed to overwrite the first.
    if (sub.disposition) {
      const by = sub.disposition_by_id ? await User.findByPk(sub.disposition_by_id, { attributes: ['full_name'], transaction }) : null;
      throw new WorkflowRefusedError(
        `Check ${sub.sequence} (${sub.description}) of ${traveler.number} already has a disposition: ${DISPOSITION_LABELS[sub.disposition]}${by ? `, by ${by.full_name}` : ''}. A new measurement would need a new one.`,
      );
    }
    await sub.update({ disposition: input.disposition as Disposition, disposition_note: note, disposition_by_id: actor.userId, disposition_at: now }, { transaction });
    return sub;
  });
}
