import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord, CurrentAdmin } from 'adminjs';
import { actorOf } from '../panel/panel-request-state.js';
import { Components } from '../panel/component-loader.js';
import { movesOf } from '../panel/step-work.adapter.js';
import { MissingActorError, type UserActor } from '../audit/actor.js';
import type { Predicate } from '../auth/access-rules.js';
import type { Sequelize } from 'sequelize';
import { ManualStep, TravelerStep } from '../models/index.js';
import { clockIn, clockOutOfStep } from '../travelers/labor.service.js';
import { MOVE_ROLES, type StepMove } from '../travelers/step-moves.js';
import { recordCheck, recordDisposition, signOffStep, startStep, stepLabel, type StepKind } from '../travelers/step-work.service.js';
import { sessionUser } from './resource-helpers.js';
import { refusalResponse } from './workflow-refusal.js';

/**
 * Working steps from the panel: Start, Sign off, Clock in and Clock out on traveler steps and
 * manual steps; Record check and Disposition on a step's checks. Each handler is a thin call into
 * src/travelers/, which owns the rules (the database holds them too). Which actions are offered,
 * and why a page's button is disabled, is what the move rules (travelers/step-moves.ts) answered
 * for the person when the record was read (panel/step-work.adapter.ts): no rule is worked out here.
 *
 * The HTTP contract, for the panel's components and for any other client:
 *   GET  .../records/<id>/<action>  the record, so the action's page can render (changes nothing)
 *   POST .../records/<id>/<action>  does the work; 200 with a success notice and redirectUrl, or
 *        409 (a workflow rule refused), 400 (bad input, with field errors on record.errors),
 *        403 (role), 404 (gone), each with an error notice whose message is meant for people.
 * AdminJS itself answers 403 when isAccessible refuses, before a handler runs.
 */
type ActionOptions = Partial<Action<ActionResponse>>;
type StepResourceId = 'traveler_steps' | 'manual_steps';
type Context = { currentAdmin?: CurrentAdmin; record?: BaseRecord };

interface Outcome {
  message: string;
  /** The record to show afterwards, when it is not the one acted on. */
  redirect?: { resourceId: string; recordId: string };
}

/**
 * `describe` adds what the action's page shows before anything is done (why its move would be
 * refused now), as extra params of the record it answers a GET with.
 */
function work(
  name: string,
  perform: (actor: UserActor, id: number, payload: Record<string, unknown>) => Promise<Outcome>,
  describe?: (context: ActionContext) => Record<string, unknown>,
) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    const { record, resource, currentAdmin, h } = context;
    if (!record) throw new Error(`${name}: no record`);
    if (request.method !== 'post') {
      const json = record.toJSON(currentAdmin);
      return { record: describe ? { ...json, params: { ...json.params, ...describe(context) } } : json };
    }
    const actor = actorOf(context);
    if (!actor) throw new MissingActorError(name);
    try {
      const outcome = await perform(actor, Number(record.id()), (request.payload ?? {}) as Record<string, unknown>);
      const fresh = await resource.findOne(String(record.id()), context);
      const target = outcome.redirect ?? { resourceId: resource.id(), recordId: String(record.id()) };
      return {
        record: (fresh ?? record).toJSON(currentAdmin),
        notice: { message: outcome.message, type: 'success' },
        redirectUrl: h.recordActionUrl({ ...target, actionName: 'show' }),
      };
    } catch (error) {
      return refusalResponse(error, record.toJSON(currentAdmin));
    }
  };
}

const param = (record: BaseRecord | undefined, name: string): unknown => record?.param(name);

function allowedBy(predicate: Predicate) {
  return ({ currentAdmin }: Context) => predicate(sessionUser(currentAdmin));
}

/** Whether the record's step offers the move to the person: step-moves.ts decided when the record was read. */
function offers(move: StepMove) {
  return ({ currentAdmin, record }: Context) => movesOf(record, sessionUser(currentAdmin))?.offered.includes(move) ?? false;
}

/** The param of a step action page's record saying why its move would be refused now (null: it would go through). */
export const MOVE_REFUSAL_PARAM = 'move_refusal';

function stepAction(
  resourceId: StepResourceId,
  move: StepMove,
  options: { icon: string; variant?: 'default' | 'primary' | 'success' | 'danger' },
  perform: (actor: UserActor, id: number, kind: StepKind) => Promise<Outcome>,
): ActionOptions {
  const kind: StepKind = resourceId === 'traveler_steps' ? 'routing' : 'manual';
  return {
    actionType: 'record',
    icon: options.icon,
    variant: options.variant,
    component: Components.StepAction,
    // Allowed by role alone, so that whoever comes second to a step that just changed is told why (409).
    isAccessible: allowedBy(MOVE_ROLES[move]),
    isVisible: offers(move),
    handler: work(
      `work on ${resourceId}`,
      (actor, id) => perform(actor, id, kind),
      // The page disables its button with the reason the POST would be refused with.
      ({ currentAdmin, record }) => ({ [MOVE_REFUSAL_PARAM]: movesOf(record, sessionUser(currentAdmin))?.[move] ?? null }),
    ),
  };
}

/** "T-26002 step 30 (Mill op 2 ...)": where a person just clocked in, as My work names it. */
async function where(kind: StepKind, id: number): Promise<string> {
  if (kind === 'routing') {
    const step = await TravelerStep.findByPk(id, { include: ['traveler'] });
    return step ? `${step.traveler?.number ?? ''} step ${step.step_number} (${step.operation})`.trim() : 'the step';
  }
  const step = await ManualStep.findByPk(id, { include: ['traveler'] });
  return step ? `${step.traveler?.number ?? ''} manual step after ${step.after_step_number} (${step.operation})`.trim() : 'the step';
}

/** Start, Sign off, Clock in and Clock out, for traveler steps or manual steps. */
export function stepWorkActions(
  resourceId: StepResourceId,
  db: Sequelize,
): Record<'start' | 'signOff' | 'clockIn' | 'clockOut', ActionOptions> & { disposition?: ActionOptions } {
  return {
    start: stepAction(resourceId, 'start', { icon: 'Play', variant: 'primary' }, async (actor, id, kind) => {
      const step = await startStep(db, { kind, id }, actor);
      return { message: `${stepLabel(step)} started.` };
    }),
    signOff: stepAction(resourceId, 'signOff', { icon: 'CheckCircle', variant: 'success' }, async (actor, id, kind) => {
      const result = await signOffStep(db, { kind, id }, actor);
      // The last sign-off completes the traveler: its page is what matters then.
      return {
        message: result.message,
        redirect: result.travelerCompleted ? { resourceId: 'travelers', recordId: String(result.step.traveler_id) } : undefined,
      };
    }),
    clockIn: stepAction(resourceId, 'clockIn', { icon: 'LogIn' }, async (actor, id, kind) => {
      await clockIn(db, { kind, id }, actor);
      return { message: `Clocked in on ${await where(kind, id)}.` };
    }),
    clockOut: stepAction(resourceId, 'clockOut', { icon: 'LogOut' }, async (actor, id, kind) => {
      const entry = await clockOutOfStep(db, { kind, id }, actor);
      const hours = entry.hours === null || entry.hours === undefined ? '' : ` (${Number(entry.hours).toFixed(2)} h)`;
      return { message: `Clocked out${hours}.` };
    }),
    // Only routing steps have checks: quality decides them from the step too.
    ...(resourceId === 'traveler_steps' && { disposition: stepDispositionAction() }),
  };
}

/**
 * Disposition on a traveler step: the step's checks awaiting quality, each with its form (the
 * DispositionQueue component, which POSTs each decision to the check's own Disposition action:
 * the check written is always the one in the address). This action only shows; a POST to it
 * changes nothing and says where decisions go.
 */
function stepDispositionAction(): ActionOptions {
  return {
    actionType: 'record',
    icon: 'AlertTriangle',
    variant: 'danger',
    component: Components.DispositionQueue,
    isAccessible: allowedBy(MOVE_ROLES.disposition),
    // Offered while one of the step's checks awaits quality's decision.
    isVisible: offers('disposition'),
    handler: async (request, _response, context) => {
      const { record, currentAdmin } = context;
      if (!record) throw new Error('step disposition: no record');
      const json = record.toJSON(currentAdmin);
      if (request.method !== 'post') return { record: json };
      return {
        record: json,
        notice: { message: 'Record a disposition on the check itself: POST to traveler_sub_steps/<check id>/disposition.', type: 'error' },
        refusal: { status: 405, code: 'method' },
      };
    },
  };
}

const truthy = (value: unknown) => value === true || value === 'true';

/**
 * Record check (tick and measurement) and Disposition (quality's decision), on a traveler's
 * checks: offered as the check's step allows (its moves were read with the check).
 */
export function subStepWorkActions(db: Sequelize): Record<'recordCheck' | 'disposition', ActionOptions> {
  return {
    recordCheck: {
      actionType: 'record',
      icon: 'Edit3',
      variant: 'primary',
      component: Components.StepAction,
      isAccessible: allowedBy(MOVE_ROLES.recordCheck),
      isVisible: offers('recordCheck'),
      handler: work('record a check', async (actor, id, payload) => {
        // "false" (a form field) or false (JSON) takes the tick back; anything else ticks.
        const done = !(payload.done === false || payload.done === 'false');
        const measured = payload.measured_value as string | number | null | undefined;
        const result = await recordCheck(db, id, { measuredValue: measured, done }, actor);
        return { message: result.message };
      }),
    },
    disposition: {
      actionType: 'record',
      icon: 'AlertTriangle',
      variant: 'danger',
      component: Components.StepAction,
      isAccessible: allowedBy(MOVE_ROLES.disposition),
      // This check awaits a decision, and its step still takes one.
      isVisible: (context: Context) =>
        truthy(param(context.record, 'out_of_limits')) && !param(context.record, 'disposition') && offers('disposition')(context),
      handler: work('record a disposition', async (actor, id, payload) => {
        const sub = await recordDisposition(
          db,
          id,
          { disposition: String(payload.disposition ?? ''), note: String(payload.note ?? payload.disposition_note ?? '') },
          actor,
        );
        return { message: `Disposition "${String(sub.disposition).replace(/_/g, ' ')}" recorded for check ${sub.sequence}.` };
      }),
    },
  };
}
