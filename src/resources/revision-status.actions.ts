import type { Action, ActionContext, ActionRequest, ActionResponse, CurrentAdmin } from 'adminjs';
import { Components } from '../panel/component-loader.js';
import { actorOf } from '../panel/panel-request-state.js';
import { ApprovalRequired } from '../approvals/approval-request.service.js';
import { MissingActorError } from '../audit/actor.js';
import type { Sequelize } from 'sequelize';
import { RecordNotFoundError } from '../records/record-errors.js';
import {
  REVISION_ACTIONS,
  REVISION_ACTION_LABELS,
  REVISION_ACTION_RULES,
  moveRevision,
  revisionActionAvailable,
  revisionActionPlan,
  type RevisionAction,
} from '../records/revision-release.service.js';
import { sessionUser } from './resource-helpers.js';
import { refusalResponse } from './workflow-refusal.js';

type ActionOptions = Partial<Action<ActionResponse>>;

function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Release and Make obsolete on a revision's page: a drawer says what will happen (the revision
 * it replaces, the approval it needs, why it cannot be used now) and one button confirms. A GET
 * only reads; the POST calls the service, which checks everything again.
 */
function revisionAction(action: RevisionAction, db: Sequelize): ActionOptions {
  return {
    actionType: 'record',
    icon: action === 'release' ? 'Send' : 'Archive',
    variant: action === 'obsolete' ? 'danger' : 'default',
    component: Components.RevisionStatusAction,
    showInDrawer: true,
    isVisible: (context) =>
      REVISION_ACTION_RULES[action](sessionUser(context.currentAdmin)) && revisionActionAvailable(action, context.record?.param('status')),
    isAccessible: ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) => REVISION_ACTION_RULES[action](sessionUser(currentAdmin)),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin } = context;
      if (!record) throw new RecordNotFoundError('revisions', request.params.recordId);
      const plan = await revisionActionPlan(db, Number(record.id()), action);
      const base = { record: record.toJSON(currentAdmin), plan, label: REVISION_ACTION_LABELS[action] };
      if (request.method !== 'post') return base;
      const actor = actorOf(context);
      if (!actor) throw new MissingActorError(`${REVISION_ACTION_LABELS[action].toLowerCase()} a revision`);
      const input = (request.payload ?? {}) as Record<string, unknown>;
      const show = context.h.recordActionUrl({ resourceId: 'revisions', recordId: String(record.id()), actionName: 'show' });
      try {
        const result = await moveRevision(db, Number(record.id()), action, actor, {
          effectiveDate: text(input.effective_date),
          reason: text(input.reason),
          version: text(input.version) ?? (typeof input.version === 'number' ? input.version : undefined),
        });
        const fresh = await context.resource.findOne(String(result.revision.id));
        return { record: (fresh ?? record).toJSON(currentAdmin), notice: { message: result.message, type: 'success' }, redirectUrl: show };
      } catch (error) {
        if (error instanceof ApprovalRequired) {
          // Neither success nor failure: the request exists, the release does not yet.
          return {
            ...base,
            notice: { message: error.message, type: 'info' },
            redirectUrl: context.h.recordActionUrl({ resourceId: 'approvals', recordId: String(error.approval.id), actionName: 'show' }),
            approvalId: error.approval.id,
          };
        }
        return refusalResponse(error, base.record, base);
      }
    },
  };
}

export function revisionStatusActions(db: Sequelize): Record<RevisionAction, ActionOptions> {
  return Object.fromEntries(REVISION_ACTIONS.map((a) => [a, revisionAction(a, db)])) as Record<RevisionAction, ActionOptions>;
}
