import type { Action, ActionContext, ActionResponse } from 'adminjs';
import { approvalSubject } from '../approvals/approval-subject.service.js';
import { canReadApprovals, canReadShopData } from '../auth/access-rules.js';
import { Approval } from '../models/index.js';
import { sessionUser } from './resource-helpers.js';

/**
 * What a request approves, in full (a traveler with its steps and checks, a revision with its
 * routing), for the request's page and the decision form. Called by the components only.
 */
export const approvalSubjectAction: Partial<Action<ActionResponse>> = {
  actionType: 'record',
  component: false,
  isVisible: false,
  isAccessible: ({ currentAdmin }) => canReadApprovals(sessionUser(currentAdmin)) && canReadShopData(sessionUser(currentAdmin)),
  handler: async (_request, _response, context: ActionContext): Promise<ActionResponse> => {
    const { record, currentAdmin } = context;
    if (!record) throw new Error('no record');
    return { record: record.toJSON(currentAdmin), subject: await approvalSubject(Approval.sequelize!, Number(record.id())) };
  },
};
