import { Approval } from '../models/index.js';
import { APPROVAL_STATUSES } from '../models/constants.js';
import { Components } from '../panel/component-loader.js';
import { approvalDecisionActions } from './approval-decision.actions.js';
import { approvalTargetHistoryAction } from './approval-target-history.action.js';
import { approvalSubjectAction } from './approval-subject.action.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';

export function approvalResource(ctx: AppContext): ResourceDefinition {
  const crud = crudActions('approvals', ctx);
  return {
    resource: Approval,
    options: {
      id: 'approvals',
      navigation: NAVIGATION.quality,
      titleProperty: 'id',
      sort: { sortBy: 'requested_at', direction: 'desc' },
      listProperties: ['id', 'summary', 'status', 'requested_by_id', 'requested_at', 'decided_by_id'],
      // What a decider reads. The record type and id, the policy rule and the version the request is
      // based on stay in the record's data (the services and the filters use them), not on the page;
      // the page itself is the ApprovalRequest component, which names the record instead.
      showProperties: [
        'id',
        'summary',
        'status',
        'changes',
        'reason',
        'requested_by_id',
        'requested_at',
        'decided_by_id',
        'decided_at',
        'decision_comment',
        'signature_name',
        'signature_meaning',
        'signed_at',
      ],
      editProperties: [],
      filterProperties: ['status', 'target_table', 'target_id', 'parent_table', 'parent_id', 'requested_by_id', 'decided_by_id', 'requested_at'],
      properties: {
        ...TIMESTAMPS,
        id: { isVisible: { list: true, filter: false, show: true, edit: false } },
        status: { availableValues: APPROVAL_STATUSES.map((value) => ({ value, label: value })) },
        changes: { type: 'mixed', components: { show: Components.ApprovalChanges }, isVisible: { list: false, filter: false, show: true, edit: false } },
      },
      actions: {
        ...crud,
        show: { isAccessible: crud.show?.isAccessible, component: Components.ApprovalRequest },
        ...approvalDecisionActions(ctx.db),
        targetHistory: approvalTargetHistoryAction(ctx.db),
        subject: approvalSubjectAction(ctx.db),
      },
    },
    labels: {
      name: 'Approvals',
      properties: {
        ...COMMON_LABELS,
        id: 'Request',
        target_table: 'Record type',
        target_id: 'Record',
        operation: 'Change',
        changes: 'Requested change',
        base_version: 'Based on version',
        status: 'Status',
        reason: 'Reason',
        requested_by_id: 'Requested by',
        requested_at: 'Requested',
        decided_by_id: 'Decided by',
        decided_at: 'Decided',
        decision_comment: 'Comment',
        summary: 'Change',
        rule: 'Policy rule',
        signature_name: 'Signed by (printed name)',
        signature_meaning: 'Signature meaning',
        signed_at: 'Signed at',
        applied_record_id: 'Created record',
        parent_table: 'On record type',
        parent_id: 'On record',
      },
    },
  };
}
