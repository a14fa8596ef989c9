import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord, CurrentAdmin } from 'adminjs';
import { actorOf } from '../admin/request-actor.js';
import { Components } from '../admin/component-loader.js';
import { MissingActorError, type UserActor } from '../audit/actor.js';
import { canClockIn, canRecordDisposition, canWorkSteps, type Predicate } from '../auth/access-rules.js';
import { ManualStep, TravelerStep, TravelerSubStep } from '../models/index.js';
import { clockIn, clockOutOfStep } from '../travelers/labor.service.js';
import { recordCheck, recordDisposition, signOffReadiness, signOffStep, startStep, stepLabel, type StepKind } from '../travelers/step-work.service.js';
import { sessionUser } from './resource-helpers.js';
import { refusalResponse } from './workflow-refusal.js';

/**
 * Working steps from the panel: Start, Sign off, Clock in and Clock out on traveler steps and
 * manual steps; Record check and Disposition on a step's checks. Each handler is a thin call into
 * src/travelers/, which owns the rules (the database holds them too).
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
 * `describe` adds what the action's page shows before anything is done (a sign-off's readiness),
 * as extra params of the record it answers a GET with.
 */
function work(
  name: string,
  perform: (actor: UserActor, id: number, payload: Record<string, unknown>) => Promise<Outcome>,
  describe?: (context: ActionContext, id: number) => Promise<Record<string, unknown>>,
) {
  return async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
    const { record, resource, currentAdmin, h } = context;
    if (!record) throw new Error(`${name}: no record`);
    if (request.method !== 'post') {
      const json = record.toJSON(currentAdmin);
      return { record: describe ? { ...json, params: { ...json.params, ...(await describe(context, Number(record.id()))) } } : json };
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

/** The status of a populated reference (the step's traveler, the check's step), when AdminJS loaded it. */
function referencedStatus(record: BaseRecord | undefined, reference: string): string | undefined {
  const populated = (record as unknown as { populated?: Record<string, BaseRecord | null | undefined> } | undefined)?.populated?.[reference];
  const status = populated?.param('status');
  return typeof status === 'string' ? status : undefined;
}

/** Steps are worked only on a traveler on the floor; unknown (not populated) counts as on the floor. */
function travelerOnFloor(record: BaseRecord | undefined): boolean {
  const status = referencedStatus(record, 'traveler_id');
  return status === undefined || status === 'released' || status === 'in_progress';
}

function allowedBy(predicate: Predicate) {
  return ({ currentAdmin }: Context) => predicate(sessionUser(currentAdmin));
}

function stepAction(
  resourceId: StepResourceId,
  options: { icon: string; variant?: 'default' | 'primary' | 'success' | 'danger'; predicate: Predicate; showWhen: (status: unknown) => boolean },
  perform: (actor: UserActor, id: number, kind: StepKind) => Promise<Outcome>,
  describe?: (context: ActionContext, id: number, kind: StepKind) => Promise<Record<string, unknown>>,
): ActionOptions {
  const kind: StepKind = resourceId === 'traveler_steps' ? 'routing' : 'manual';
  return {
    actionType: 'record',
    icon: options.icon,
    variant: options.variant,
    component: Components.StepAction,
    // Allowed by role alone, so that whoever comes second to a step that just changed is told why (409).
    isAccessible: allowedBy(options.predicate),
    isVisible: (context: Context) =>
      options.predicate(sessionUser(context.currentAdmin)) && options.showWhen(param(context.record, 'status')) && travelerOnFloor(context.record),
    handler: work(`work on ${resourceId}`, (actor, id) => perform(actor, id, kind), describe && ((context, id) => describe(context, id, kind))),
  };
}

/** The param of a Sign off page's record saying why it would be refused now (absent: it would go through). */
export const SIGN_OFF_REFUSAL_PARAM = 'sign_off_refusal';

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
export function stepWorkActions(resourceId: StepResourceId): Record<'start' | 'signOff' | 'clockIn' | 'clockOut', ActionOptions> & { disposition?: ActionOptions } {
  // Read when called: models are bound to their connection after this module loads.
  const sequelize = () => (resourceId === 'traveler_steps' ? TravelerStep.sequelize! : ManualStep.sequelize!);
  return {
    start: stepAction(resourceId, { icon: 'Play', variant: 'primary', predicate: canWorkSteps, showWhen: (s) => s === 'pending' }, async (actor, id, kind) => {
      const step = await startStep(sequelize(), { kind, id }, actor);
      return { message: `${stepLabel(step)} started.` };
    }),
    signOff: stepAction(
      resourceId,
      { icon: 'CheckCircle', variant: 'success', predicate: canWorkSteps, showWhen: (s) => s !== 'completed' },
      async (actor, id, kind) => {
        const result = await signOffStep(sequelize(), { kind, id }, actor);
        // The last sign-off completes the traveler: its page is what matters then.
        return {
          message: result.message,
          redirect: result.travelerCompleted ? { resourceId: 'travelers', recordId: String(result.step.traveler_id) } : undefined,
        };
      },
      // The page disables its button with the reason the POST would be refused with.
      async ({ currentAdmin }, id, kind) => {
        const user = sessionUser(currentAdmin);
        return user ? { [SIGN_OFF_REFUSAL_PARAM]: await signOffReadiness(sequelize(), { kind, id }, user) } : {};
      },
    ),
    clockIn: stepAction(resourceId, { icon: 'LogIn', predicate: canClockIn, showWhen: (s) => s !== 'completed' }, async (actor, id, kind) => {
      await clockIn(sequelize(), { kind, id }, actor);
      return { message: `Clocked in on ${await where(kind, id)}.` };
    }),
    clockOut: stepAction(resourceId, { icon: 'LogOut', predicate: canClockIn, showWhen: (s) => s === 'in_progress' }, async (actor, id, kind) => {
      const entry = await clockOutOfStep(sequelize(), { kind, id }, actor);
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
    isAccessible: allowedBy(canRecordDisposition),
    // A check is measured only on a started step; a signed-off step's checks are closed.
    isVisible: (context: Context) =>
      canRecordDisposition(sessionUser(context.currentAdmin)) &&
      param(context.record, 'status') === 'in_progress' &&
      !['cancelled', 'completed'].includes(referencedStatus(context.record, 'traveler_id') ?? ''),
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

/** Record check (tick and measurement) and Disposition (quality's decision), on a traveler's checks. */
export function subStepWorkActions(): Record<'recordCheck' | 'disposition', ActionOptions> {
  const sequelize = () => TravelerSubStep.sequelize!;
  const stepOpen = (record: BaseRecord | undefined) => referencedStatus(record, 'traveler_step_id') !== 'completed';
  return {
    recordCheck: {
      actionType: 'record',
      icon: 'Edit3',
      variant: 'primary',
      component: Components.StepAction,
      isAccessible: allowedBy(canWorkSteps),
      isVisible: (context: Context) => canWorkSteps(sessionUser(context.currentAdmin)) && stepOpen(context.record),
      handler: work('record a check', async (actor, id, payload) => {
        // "false" (a form field) or false (JSON) takes the tick back; anything else ticks.
        const done = !(payload.done === false || payload.done === 'false');
        const measured = payload.measured_value as string | number | null | undefined;
        const result = await recordCheck(sequelize(), id, { measuredValue: measured, done }, actor);
        return { message: result.message };
      }),
    },
    disposition: {
      actionType: 'record',
      icon: 'AlertTriangle',
      variant: 'danger',
      component: Components.StepAction,
      isAccessible: allowedBy(canRecordDisposition),
      isVisible: (context: Context) =>
        canRecordDisposition(sessionUser(context.currentAdmin)) &&
        truthy(param(context.record, 'out_of_limits')) &&
        !param(context.record, 'disposition') &&
        stepOpen(context.record),
      handler: work('record a disposition', async (actor, id, payload) => {
        const sub = await recordDisposition(
          sequelize(),
          id,
          { disposition: String(payload.disposition ?? ''), note: String(payload.note ?? payload.disposition_note ?? '') },
          actor,
        );
        return { message: `Disposition "${String(sub.disposition).replace(/_/g, ' ')}" recorded for check ${sub.sequence}.` };
      }),
    },
  };
}
