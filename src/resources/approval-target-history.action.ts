import type { Action, ActionContext, ActionRequest, ActionResponse } from 'adminjs';
import { describerFor } from '../panel/record-describer.js';
import { RESOURCE_RULES, canReadApprovals, canReviewAuditTrail, type ResourceId } from '../auth/access-rules.js';
import { recordHistory } from '../audit/audit-history.service.js';
import type { Sequelize } from 'sequelize';
import { sessionUser } from './resource-helpers.js';

/** How many of the target's latest changes a decider sees next to the requested diff. */
export const TARGET_HISTORY_LIMIT = 5;

const readable = (table: string, user: ReturnType<typeof sessionUser>) => table in RESOURCE_RULES && RESOURCE_RULES[table as ResourceId].read(user);

/**
 * The recent history of the record a request would change (of its parent, for a request to
 * create a child), for the request's page and the decision form. Called by the components only,
 * so no button of its own.
 */
export function approvalTargetHistoryAction(db: Sequelize): Partial<Action<ActionResponse>> {
  return {
    actionType: 'record',
    component: false,
    isVisible: false,
    isAccessible: ({ currentAdmin }) => canReadApprovals(sessionUser(currentAdmin)),
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, currentAdmin, _admin } = context;
      if (!record) throw new Error('no record');
      const user = sessionUser(currentAdmin);
      const table = record.param('target_id') ? String(record.param('target_table')) : (record.param('parent_table') as string | null);
      const id = record.param('target_id') ?? record.param('parent_id');
      if (!table || !id || !readable(table, user)) return { record: record.toJSON(currentAdmin), targetHistory: null };
      const targetHistory = await recordHistory(db, table, String(id), {
        describe: describerFor(_admin),
        includeNetwork: canReviewAuditTrail(user),
        canReadTable: (child) => readable(child, user),
        limit: TARGET_HISTORY_LIMIT,
      });
      return { record: record.toJSON(currentAdmin), targetHistory };
    },
  };
}
