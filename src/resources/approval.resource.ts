import { Approval } from '../models/index.js';
import { APPROVAL_STATUSES } from '../models/constants.js';
import { COMMON_LABELS, NAVIGATION, TIMESTAMPS, crudActions, type ResourceDefinition } from './resource-helpers.js';

export const approvalResource: ResourceDefinition = {
  resource: Approval,
  options: {
    id: 'approvals',
    navigation: NAVIGATION.quality,
    titleProperty: 'id',
    sort: { sortBy: 'requested_at', direction: 'desc' },
    listProperties: ['id', 'target_table', 'target_id', 'operation', 'status', 'requested_by_id', 'requested_at', 'decided_by_id'],
    showProperties: [
      'id', 'target_table', 'target_id', 'operation', 'status', 'reason', 'changes', 'base_version',
      'requested_by_id', 'requested_at', 'decided_by_id', 'decided_at', 'decision_comment', 'created_at', 'updated_at', 'version',
    ],
    editProperties: [],
    filterProperties: ['target_table', 'target_id', 'status', 'requested_by_id', 'decided_by_id', 'requested_at'],
    properties: {
      ...TIMESTAMPS,
      id: { isVisible: { list: true, filter: false, show: true, edit: false } },
      status: { availableValues: APPROVAL_STATUSES.map((value) => ({ value, label: value })) },
    },
    actions: crudActions('approvals'),
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
    },
  },
};
