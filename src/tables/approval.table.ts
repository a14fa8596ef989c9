import { Approval } from '../models/approval.model.js';
import { tablePolicy } from './table-policy.js';

export const approvalTable = tablePolicy<Approval>({
  model: Approval,
  ruleFields: {
    decisionComplete: 'decided_at',
    fourEyes: 'decided_by_id',
    deciderPresent: 'decided_by_id',
  },
});
