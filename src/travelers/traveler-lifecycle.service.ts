import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { approvalNeeded, submitForApproval } from '../approvals/approval-request.service.js';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, TRAVELER_ACTION_RULES, asSessionUser, type SessionUser, type TravelerAction } from '../auth/access-rules.js';
import type { TravelerStatus } from '../models/constants.js';
import { Approval, LaborEntry, Revision, Traveler } from '../models/index.js';
import { clockOutTime, transactionNow } from './work-clock.js';
import { RecordNotFoundError, RecordValidationError, WorkflowRefusedError } from '../records/record-errors.js';
import { executeWrite } from '../records/write-command.js';

/**
 * A traveler's states and the actions that move it. The same table of allowed moves is held by
 * the database (traveler_allowed_transitions in migrations/*-traveler-lifecycle.up.sql), which
 * refuses any other move from any writer; this service checks first so that people get the
 * reason, asks for approval where the policy wants it, and closes open clock-ins when work stops.
 */
export const TRAVELER_TRANSITIONS: Record<TravelerStatus, readonly TravelerStatus[]> = {
  draft: ['released', 'cancelled'],
  released: ['in_progress', 'on_hold', 'cancelled'],
  in_progress: ['on_hold', 'completed', 'cancelled'],
  on_hold: ['released', 'in_progress', 'cancelled'],
  completed: [],
  cancelled: [],
};

export const TRAVELER_ACTIONS: readonly TravelerAction[] = ['release', 'start', 'hold', 'resume', 'complete', 'cancel'];

export const TRAVELER_ACTION_LABELS: Record<TravelerAction, string> = {
  release: 'Release',
  start: 'Start',
  hold: 'Hold',
  resume: 'Resume',
  complete: 'Complete',
  cancel: 'Cancel',
};

/** Actions that need the person to say why (stored as the traveler's status reason). */
export const ACTIONS_NEEDING_REASON: ReadonlySet<TravelerAction> = new Set(['hold', 'cancel']);

interface TravelerState {
  status: TravelerStatus;
  started_at: Date | string | null;
}

/** Where an action takes a traveler in this state, or null when it cannot be used now. */
export function actionTarget(action: TravelerAction, traveler: TravelerState): TravelerStatus | null {
  const to: TravelerStatus = (
    {
      release: 'released',
      start: 'in_progress',
      hold: 'on_hold',
      // Back to where it was: in progress once work had started, released otherwise.
      resume: traveler.started_at ? 'in_progress' : 'released',
      complete: 'completed',
      cancel: 'cancelled',
    } as const
  )[action];
  // A refused form is shown again with what was typed, status included: nothing is offered from
  // a status that does not exist.
  if (!Object.prototype.hasOwnProperty.call(TRAVELER_TRANSITIONS, traveler.status)) return null;
  // Each action is one move from one place: coming back from a hold is Resume, never Start or Release.
  if (action === 'resume' && traveler.status !== 'on_hold') return null;
  if (action === 'release' && traveler.status !== 'draft') return null;
  if (action === 'start' && traveler.status !== 'released') return null;
  return TRAVELER_TRANSITIONS[traveler.status].includes(to) ? to : null;
}

export function describeAllowed(status: TravelerStatus): string {
  const next = TRAVELER_TRANSITIONS[status];
  return next.length ? next.map((s) => s.replace('_', ' ')).join(', ') : 'nothing (it is closed)';
}

/** The actions this person could use on a traveler in this state (what the panel shows). */
export function availableActions(user: SessionUser | null | undefined, traveler: TravelerState): TravelerAction[] {
  return TRAVELER_ACTIONS.filter((a) => TRAVELER_ACTION_RULES[a](user) && actionTarget(a, traveler) !== null);
}

export interface TransitionResult {
  traveler: Traveler;
  /** Open clock-ins closed because work stopped (hold, cancel, completion). */
  closedClockIns: number;
  message: string;
}

/** Closes every open clock-in on the traveler at the transaction's time. */
export async function closeOpenClockIns(sequelize: Sequelize, travelerId: number, transaction: Transaction): Promise<number> {
  const open = await LaborEntry.findAll({ where: { traveler_id: travelerId, ended_at: null }, transaction, lock: transaction.LOCK.UPDATE });
  if (!open.length) return 0;
  const now = await transactionNow(sequelize, transaction);
  for (const entry of open) {
    await entry.update({ ended_at: clockOutTime(entry, now) }, { transaction });
  }
  return open.length;
}

async function lockTraveler(id: number, transaction: Transaction): Promise<Traveler> {
  const traveler = await Traveler.findByPk(id, { transaction, lock: transaction.LOCK.UPDATE });
  if (!traveler) throw new RecordNotFoundError('travelers', id);
  return traveler;
}

/** Releasing needs something to work from: steps, and a revision that is still the released one. */
async function checkReleasable(sequelize: Sequelize, traveler: Traveler, transaction: Transaction): Promise<void> {
  const [{ steps }] = (await sequelize.query<{ steps: number }>(
    `SELECT (SELECT count(*) FROM traveler_steps WHERE traveler_id = :id) + (SELECT count(*) FROM manual_steps WHERE traveler_id = :id) AS steps`,
    { replacements: { id: traveler.id }, type: QueryTypes.SELECT, transaction },
  )) as [{ steps: number }];
  if (Number(steps) === 0) throw new WorkflowRefusedError(`Traveler ${traveler.number} has no steps: a traveler without steps cannot be released.`);
  const revision = await Revision.findByPk(traveler.revision_id, { transaction });
  if (revision && revision.status !== 'released') {
    throw new WorkflowRefusedError(
      `Traveler ${traveler.number} is for revision ${revision.revision_code}, which is ${revision.status}: only a traveler for the released revision can be released. Cancel it and create a new one from the work order.`,
    );
  }
  const pending = await Approval.findOne({
    where: { target_table: 'travelers', target_id: traveler.id, status: 'pending', rule: 'traveler.release' },
    transaction,
  });
  if (pending) throw new WorkflowRefusedError(`Releasing traveler ${traveler.number} is already waiting for approval (request #${pending.id}).`);
}

/**
 * Moves a traveler with one of its actions. Releasing goes through the approval policy: the
 * request is committed and ApprovalRequired is thrown, as for any change held back.
 */
export async function transitionTraveler(
  sequelize: Sequelize,
  travelerId: number,
  action: TravelerAction,
  actor: UserActor,
  input: { reason?: string | null } = {},
): Promise<TransitionResult> {
  if (!TRAVELER_ACTION_RULES[action](asSessionUser(actor))) {
    throw new AccessDeniedError(`Your role (${actor.role}) may not ${TRAVELER_ACTION_LABELS[action].toLowerCase()} travelers.`);
  }
  const reason = input.reason?.trim() || null;
  if (ACTIONS_NEEDING_REASON.has(action) && (!reason || reason.length < 3)) {
    throw new RecordValidationError({ status_reason: `Say why (at least 3 characters): the reason is kept with the traveler and shown to everyone.` });
  }
  return executeWrite(sequelize, {
    actor,
    table: 'travelers',
    model: Traveler,
    run: async ({ transaction }) => {
      const traveler = await lockTraveler(travelerId, transaction);
      const to = actionTarget(action, traveler);
      if (!to) {
        throw new WorkflowRefusedError(
          `Traveler ${traveler.number} is ${traveler.status.replace('_', ' ')}: it cannot be ${pastTense(action)}. From ${traveler.status.replace('_', ' ')} it can go to ${describeAllowed(traveler.status)}${actionsFrom(traveler)}.`,
        );
      }
      const values: Record<string, unknown> = { status: to };
      if (ACTIONS_NEEDING_REASON.has(action)) values.status_reason = reason;
      if (action === 'release') {
        await checkReleasable(sequelize, traveler, transaction);
        const gate = { model: Traveler, operation: 'update' as const, before: { ...traveler.get({ plain: true }) }, values, actor, transaction, reason };
        const decision = await approvalNeeded(gate);
        if (decision) return submitForApproval(gate, decision);
      }
      if (action === 'complete') {
        const open = await openStepCount(sequelize, traveler.id, transaction);
        if (open > 0) throw new WorkflowRefusedError(`Traveler ${traveler.number} cannot be completed: ${open} of its steps are not signed off yet.`);
      }
      const closed = ['hold', 'cancel', 'complete'].includes(action) ? await closeOpenClockIns(sequelize, traveler.id, transaction) : 0;
      await traveler.update(values, { transaction });
      await traveler.reload({ transaction });
      const note = closed ? ` ${closed} open clock-in${closed === 1 ? ' was' : 's were'} closed.` : '';
      return { traveler, closedClockIns: closed, message: `Traveler ${traveler.number} is ${to.replace('_', ' ')}.${note}` };
    },
  });
}

function actionsFrom(traveler: TravelerState): string {
  const usable = TRAVELER_ACTIONS.filter((a) => actionTarget(a, traveler) !== null).map((a) => TRAVELER_ACTION_LABELS[a]);
  return usable.length ? ` (actions: ${usable.join(', ')})` : '';
}

function pastTense(action: TravelerAction): string {
  return { release: 'released', start: 'started', hold: 'put on hold', resume: 'resumed', complete: 'completed', cancel: 'cancelled' }[action];
}

export async function openStepCount(sequelize: Sequelize, travelerId: number, transaction?: Transaction): Promise<number> {
  const [{ open }] = (await sequelize.query<{ open: number }>('SELECT traveler_open_steps(:id) AS open', {
    replacements: { id: travelerId },
    type: QueryTypes.SELECT,
    transaction,
  })) as [{ open: number }];
  return Number(open);
}
