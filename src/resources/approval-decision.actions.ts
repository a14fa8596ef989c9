import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord, CurrentAdmin } from 'adminjs';
import { ApprovalRefused, decide, mayDecide, type Decision } from '../approvals/approval-decision.service.js';
import { nextToDecide } from '../approvals/approval-inbox.service.js';
import { actorOf, throttleOf } from '../panel/panel-request-state.js';
import { Components } from '../panel/component-loader.js';
import { MissingActorError } from '../audit/actor.js';
import type { Sequelize } from 'sequelize';
import type { Approval } from '../models/index.js';
import { sessionUser } from './resource-helpers.js';

const LABELS: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', withdraw: 'Withdraw' };

/** What the decider is told, in the inbox the decision returns to. */
function decidedMessage(approval: Approval): string {
  if (approval.status === 'approved') return `Request #${approval.id} approved: the change is applied.`;
  if (approval.status === 'rejected') return `Request #${approval.id} rejected: the requester is told your reason.`;
  return `Request #${approval.id} ${approval.status}.`;
}

function pending(context: { record?: { param(name: string): unknown } }): boolean {
  return context.record?.param('status') === 'pending';
}

function allowed(decision: Decision, context: { currentAdmin?: CurrentAdmin; record?: BaseRecord }): boolean {
  const user = sessionUser(context.currentAdmin);
  if (!user || !context.record) return false;
  const requester = Number(context.record.param('requested_by_id'));
  if (decision === 'withdraw') return requester === user.id;
  return requester !== user.id && mayDecide(user, context.record.param('rule') as string | null);
}

/**
 * Approve, Reject and Withdraw: record actions on a request. The panel shows them only where
 * they make sense (pending; a decider's role; the requester's own request for Withdraw); the
 * service checks the same again, and the database refuses a second decision whatever happens.
 */
function decisionAction(decision: Decision, db: Sequelize): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    icon: decision === 'approve' ? 'CheckCircle' : decision === 'reject' ? 'XCircle' : 'CornerUpLeft',
    component: Components.ApprovalDecision,
    variant: decision === 'reject' ? 'danger' : decision === 'approve' ? 'success' : 'default',
    // Shown only while it makes sense; allowed by role alone, so that whoever comes second to a
    // request that was just decided is told so (409) instead of a bare "forbidden".
    isVisible: (context) => pending(context) && allowed(decision, context),
    isAccessible: (context) => allowed(decision, context),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin } = context;
      if (!record) throw new Error('no record');
      if (request.method !== 'post') return { record: record.toJSON(currentAdmin) };
      const actor = actorOf(context);
      if (!actor) throw new MissingActorError(`${decision} an approval`);
      const payload = (request.payload ?? {}) as Record<string, unknown>;
      try {
        const approval = await decide(db, decision, {
          approvalId: Number(record.id()),
          actor,
          password: typeof payload.password === 'string' ? payload.password : undefined,
          comment: typeof payload.comment === 'string' ? payload.comment : undefined,
          throttle: throttleOf(context),
        });
        const fresh = await context.resource.findOne(String(approval.id));
        // Back to the inbox with the next request open: deciding a queue is one request after another.
        const next = decision === 'withdraw' ? null : await nextToDecide(db, { id: actor.userId, role: actor.role }, approval.id);
        const inbox = context.h.pageUrl('myApprovals');
        return {
          record: (fresh ?? record).toJSON(currentAdmin),
          notice: { message: decidedMessage(approval), type: 'success' },
          redirectUrl: next === null ? inbox : `${inbox}?request=${next}`,
          nextRequestId: next,
        };
      } catch (error) {
        if (!(error instanceof ApprovalRefused)) throw error;
        const refused: ActionResponse = {
          record: record.toJSON(currentAdmin),
          notice: { message: error.message, type: 'error' },
          refusal: { status: error.status, code: error.code },
        };
        return refused;
      }
    },
  };
}

export function approvalDecisionActions(db: Sequelize) {
  return {
    approve: decisionAction('approve', db),
    reject: decisionAction('reject', db),
    withdraw: decisionAction('withdraw', db),
  };
}

export const DECISION_LABELS = LABELS;
