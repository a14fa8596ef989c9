import { AuditLog } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, crudActions, type ResourceDefinition } from './resource-helpers.js';

export const auditLogResource: ResourceDefinition = {
  resource: AuditLog,
  options: {
    id: 'audit_logs',
    navigation: NAVIGATION.quality,
    titleProperty: 'id',
    sort: { sortBy: 'occurred_at', direction: 'desc' },
    listProperties: ['occurred_at', 'actor_name', 'action', 'table_name', 'record_id', 'field_name', 'old_value', 'new_value'],
    showProperties: [
      'id', 'occurred_at', 'action', 'table_name', 'record_id', 'field_name', 'old_value', 'new_value', 'actor_id',
      'actor_username', 'actor_name', 'actor_email', 'ip_address', 'user_agent', 'request_id', 'change_id', 'approval_id',
    ],
    editProperties: [],
    filterProperties: ['occurred_at', 'actor_id', 'action', 'table_name', 'record_id', 'field_name'],
    actions: crudActions('audit_logs'),
  },
  labels: {
    name: 'Audit log',
    properties: {
      ...COMMON_LABELS,
      occurred_at: 'When',
      action: 'Action',
      table_name: 'Record type',
      record_id: 'Record',
      field_name: 'Field',
      old_value: 'Old value',
      new_value: 'New value',
      actor_id: 'User',
      actor_username: 'User name',
      actor_name: 'Name',
      actor_email: 'Email',
      ip_address: 'IP address',
      user_agent: 'Browser',
      request_id: 'Request',
      change_id: 'Change',
      approval_id: 'Approval',
    },
  },
};
