import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord, CurrentAdmin } from 'adminjs';
import { Components } from '../panel/component-loader.js';
import { actorOf } from '../panel/panel-request-state.js';
import { ApprovalRequired } from '../approvals/approval-request.service.js';
import { MissingActorError } from '../audit/actor.js';
import { canManageUsers } from '../auth/access-rules.js';
import { User } from '../models/index.js';
import { RecordNotFoundError, WorkflowRefusedError } from '../records/record-errors.js';
import { updateRecord } from '../records/record.service.js';
import { sessionUser } from './resource-helpers.js';
import { refusalResponse } from './workflow-refusal.js';

type ActionOptions = Partial<Action<ActionResponse>>;

const nameOf = (record: BaseRecord) => String(record.param('full_name') ?? record.param('username') ?? `user #${record.id()}`);

/** Whether the action fits the account as it is: Deactivate an active one (not one's own), Reactivate an inactive one. */
function fits(active: boolean, context: { currentAdmin?: CurrentAdmin; record?: BaseRecord }): boolean {
  const user = sessionUser(context.currentAdmin);
  const record = context.record;
  if (!canManageUsers(user) || !record) return false;
  const isActive = record.param('active') === true || record.param('active') === 'true';
  if (active) return !isActive;
  return isActive && Number(record.id()) !== user!.id;
}

/**
 * Deactivate and Reactivate on a user's page, each confirmed on its own form, instead of a
 * switch in the edit form. Both go through the record service like any edit (the actor, the
 * version the page was read at, the audit trail): deactivating applies at once and ends the
 * person's sessions at their next request; reactivating is a request another administrator
 * signs (approval-policy.ts user.reactivate). The service refuses deactivating one's own account.
 */
function activationAction(active: boolean): ActionOptions {
  return {
    actionType: 'record',
    icon: active ? 'UserCheck' : 'UserX',
    variant: active ? 'default' : 'danger',
    component: Components.UserActivation,
    showInDrawer: true,
    isVisible: (context) => fits(active, context),
    isAccessible: ({ currentAdmin }) => canManageUsers(sessionUser(currentAdmin)),
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin, h } = context;
      if (!record) throw new RecordNotFoundError('users', request.params.recordId);
      const base = { record: record.toJSON(currentAdmin) };
      if (request.method !== 'post') return base;
      const actor = actorOf(context);
      if (!actor) throw new MissingActorError(active ? 'reactivate a user' : 'deactivate a user');
      const payload = (request.payload ?? {}) as Record<string, unknown>;
      const name = nameOf(record);
      const isActive = record.param('active') === true || record.param('active') === 'true';
      if (isActive === active) {
        return refusalResponse(
          new WorkflowRefusedError(`${name} is already ${active ? 'active' : 'deactivated'}: nothing was changed.`, 'already'),
          base.record,
        );
      }
      try {
        // The version the page was read at, as every edit sends it: a change made meanwhile is not overwritten unseen.
        await updateRecord(User, record.id(), { active, version: payload.version, change_reason: payload.reason }, actor);
        const fresh = await context.resource.findOne(record.id());
        return {
          record: (fresh ?? record).toJSON(currentAdmin),
          notice: {
            message: active ? `${name} is active again: they can sign in.` : `${name} is deactivated: they can no longer sign in.`,
            type: 'success',
          },
          redirectUrl: h.recordActionUrl({ resourceId: 'users', recordId: record.id(), actionName: 'show' }),
        };
      } catch (error) {
        if (error instanceof ApprovalRequired) {
          return {
            ...base,
            notice: {
              message: `Reactivating ${name} needs another administrator’s signature: request #${error.approval.id} is waiting for them. ${name} stays deactivated until then.`,
              type: 'info',
            },
            redirectUrl: h.recordActionUrl({ resourceId: 'approvals', recordId: String(error.approval.id), actionName: 'show' }),
            approvalId: error.approval.id,
          };
        }
        return refusalResponse(error, base.record);
      }
    },
  };
}

export const userActivationActions = {
  deactivate: activationAction(false),
  reactivate: activationAction(true),
};
