import type { Action, ActionContext, ActionRequest, ActionResponse, CurrentAdmin } from 'adminjs';
import { Components } from '../panel/component-loader.js';
import { actorOf } from '../panel/panel-request-state.js';
import { ApprovalRequired } from '../approvals/approval-request.service.js';
import { MissingActorError } from '../audit/actor.js';
import { TRAVELER_ACTION_RULES, canPlanWork, canReadShopData, type TravelerAction } from '../auth/access-rules.js';
import type { TravelerStatus } from '../models/constants.js';
import type { Sequelize } from 'sequelize';
import type { AppContext } from '../app-context.js';
import { ManualStep } from '../models/index.js';
import { RecordNotFoundError } from '../records/record-errors.js';
import { createRecord } from '../records/record.service.js';
import { travelerPrintData } from '../travelers/traveler-print.service.js';
import { createTravelerFromWorkOrder, previewTraveler } from '../travelers/traveler-creation.service.js';
import { ACTIONS_NEEDING_REASON, TRAVELER_ACTIONS, TRAVELER_ACTION_LABELS, actionTarget, transitionTraveler } from '../travelers/traveler-lifecycle.service.js';
import { sessionUser } from './resource-helpers.js';
import { refusalResponse } from './workflow-refusal.js';

type ActionOptions = Partial<Action<ActionResponse>>;

/** A held-back change is neither success nor failure: say where it went and open the request. */
function submittedResponse(error: ApprovalRequired, base: Record<string, unknown>, context: ActionContext): ActionResponse {
  return {
    ...base,
    notice: { message: error.message, type: 'info' },
    redirectUrl: context.h.recordActionUrl({ resourceId: 'approvals', recordId: String(error.approval.id), actionName: 'show' }),
    approvalId: error.approval.id,
  };
}

function payloadOf(request: ActionRequest): Record<string, unknown> {
  return (request.payload ?? {}) as Record<string, unknown>;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function travelerState(context: { record?: { param(name: string): unknown } }) {
  const record = context.record;
  if (!record) return null;
  return { status: record.param('status') as TravelerStatus, started_at: (record.param('started_at') as string | null) ?? null };
}

/**
 * One record action per lifecycle move (Release, Start, Hold, Resume, Complete, Cancel), shown
 * only where the traveler's state allows it and the person's role may use it. The service and
 * the database check both again.
 */
function transitionAction(action: TravelerAction, db: Sequelize): ActionOptions {
  return {
    actionType: 'record',
    icon: { release: 'Send', start: 'Play', hold: 'Pause', resume: 'PlayCircle', complete: 'CheckCircle', cancel: 'XOctagon' }[action],
    variant: action === 'cancel' ? 'danger' : 'default',
    component: Components.TravelerTransition,
    showInDrawer: true,
    isVisible: (context) => {
      const state = travelerState(context);
      return !!state && TRAVELER_ACTION_RULES[action](sessionUser(context.currentAdmin)) && actionTarget(action, state) !== null;
    },
    isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => TRAVELER_ACTION_RULES[action](sessionUser(currentAdmin)),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin } = context;
      if (!record) throw new RecordNotFoundError('travelers', request.params.recordId);
      const base = { record: record.toJSON(currentAdmin), needsReason: ACTIONS_NEEDING_REASON.has(action), label: TRAVELER_ACTION_LABELS[action] };
      if (request.method !== 'post') return base;
      const actor = actorOf(context);
      if (!actor) throw new MissingActorError(`${action} a traveler`);
      try {
        const result = await transitionTraveler(db, Number(record.id()), action, actor, { reason: text(payloadOf(request).reason) });
        const fresh = await context.resource.findOne(String(result.traveler.id));
        return {
          record: (fresh ?? record).toJSON(currentAdmin),
          notice: { message: result.message, type: 'success' },
          redirectUrl: context.h.recordActionUrl({ resourceId: 'travelers', recordId: String(result.traveler.id), actionName: 'show' }),
        };
      } catch (error) {
        if (error instanceof ApprovalRequired) return submittedResponse(error, base, context);
        return refusalResponse(error, base.record, base);
      }
    },
  };
}

export function travelerLifecycleActions(db: Sequelize): Record<TravelerAction, ActionOptions> {
  return Object.fromEntries(TRAVELER_ACTIONS.map((a) => [a, transitionAction(a, db)])) as Record<TravelerAction, ActionOptions>;
}

/** Opens the print-ready traveler (src/http/routes/traveler-print.routes.ts) from the record page. */
export const printTravelerAction: ActionOptions = {
  actionType: 'record',
  icon: 'Printer',
  component: Components.TravelerPrint,
  isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => canReadShopData(sessionUser(currentAdmin)),
  handler: async (_request, _response, context) => ({ record: context.record!.toJSON(context.currentAdmin) }),
};

/** The traveler's steps, checks, sign-offs and labor for the panel on its page (hidden; reading the traveler allows it). */
export function stepsOverviewAction(db: Sequelize): ActionOptions {
  return {
    actionType: 'record',
    component: false,
    isVisible: false,
    isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => canReadShopData(sessionUser(currentAdmin)),
    handler: async (request, _response, context) => {
      const { record, currentAdmin } = context;
      if (!record) throw new RecordNotFoundError('travelers', request.params.recordId);
      const data = await travelerPrintData(db, Number(record.id()));
      return { record: record.toJSON(currentAdmin), overview: data && { steps: data.steps, labor: data.labor } };
    },
  };
}

/**
 * A step added by hand to one traveler, at a position, with a reason. On a released traveler the
 * approval policy holds it back as a request (the record service asks the policy).
 */
export const addManualStepAction: ActionOptions = {
  actionType: 'record',
  icon: 'PlusSquare',
  component: Components.AddManualStep,
  isVisible: (context) => {
    const state = travelerState(context);
    return !!state && canPlanWork(sessionUser(context.currentAdmin)) && !['completed', 'cancelled'].includes(state.status);
  },
  isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => canPlanWork(sessionUser(currentAdmin)),
  handler: async (request, _response, context) => {
    const { record, currentAdmin } = context;
    if (!record) throw new RecordNotFoundError('travelers', request.params.recordId);
    const base = { record: record.toJSON(currentAdmin) };
    if (request.method !== 'post') return base;
    const actor = actorOf(context);
    if (!actor) throw new MissingActorError('add a manual step');
    const input = payloadOf(request);
    try {
      const fields = ['after_step_number', 'operation', 'work_center_id', 'instructions', 'estimated_hours', 'reason'];
      const values = Object.fromEntries(fields.filter((f) => input[f] !== undefined).map((f) => [f, input[f]]));
      const step = await createRecord(ManualStep, { ...values, traveler_id: record.id(), change_reason: input.reason }, actor);
      return {
        ...base,
        notice: { message: `Manual step "${String(step.get('operation'))}" added.`, type: 'success' },
        redirectUrl: context.h.recordActionUrl({ resourceId: 'travelers', recordId: String(record.id()), actionName: 'show' }),
      };
    } catch (error) {
      if (error instanceof ApprovalRequired) return submittedResponse(error, base, context);
      return refusalResponse(error, base.record, base);
    }
  },
};

/**
 * "Create traveler" on a work order: a GET shows what would be made (part, released revision,
 * customer, quantity left, due date, the routing to copy, or why it cannot be made); a POST
 * makes it and opens it.
 */
export function createTravelerAction(ctx: AppContext): ActionOptions {
  return {
    actionType: 'record',
    icon: 'FilePlus',
    component: Components.CreateTraveler,
    isVisible: (context) => canPlanWork(sessionUser(context.currentAdmin)) && ['open', 'in_progress'].includes(String(context.record?.param('status'))),
    isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => canPlanWork(sessionUser(currentAdmin)),
    handler: async (request, _response, context) => {
      const { record, currentAdmin } = context;
      if (!record) throw new RecordNotFoundError('work_orders', request.params.recordId);
      const plan = await previewTraveler(ctx.db, Number(record.id()));
      const base = { record: record.toJSON(currentAdmin), plan };
      if (request.method !== 'post') return base;
      const actor = actorOf(context);
      if (!actor) throw new MissingActorError('create a traveler');
      const input = payloadOf(request);
      try {
        const traveler = await createTravelerFromWorkOrder(
          ctx.db,
          Number(record.id()),
          { quantity: text(input.quantity) ?? null, notes: text(input.notes) ?? null },
          actor,
          { numbers: ctx.numbers },
        );
        return {
          ...base,
          travelerId: traveler.id,
          notice: { message: `Traveler ${traveler.number} created from work order ${plan.workOrder.number} with ${plan.steps.length} steps.`, type: 'success' },
          redirectUrl: context.h.recordActionUrl({ resourceId: 'travelers', recordId: String(traveler.id), actionName: 'show' }),
        };
      } catch (error) {
        return refusalResponse(error, base.record, base);
      }
    },
  };
}
