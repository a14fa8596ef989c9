import type { ActionContext, ActionRequest, ActionResponse, RecordJSON, ResourceOptions } from 'adminjs';
import { Components } from '../admin/component-loader.js';
import { AuditLogPanelResource } from '../admin/audit-log.adapter.js';
import { describerFor } from '../admin/record-describer.js';
import { RESOURCE_RULES, canReviewAuditTrail, type ResourceId } from '../auth/access-rules.js';
import { listAuditActors } from '../audit/audit-actors.service.js';
import { countAuditLogs } from '../audit/audit-export.service.js';
import { AuditFilterError, auditLogFilterFromQuery } from '../audit/audit-log-filter.js';
import { describeAuditRows, type AuditRowKey } from '../audit/audit-row-display.service.js';
import { AuditLog } from '../models/index.js';
import { approvalResource } from './approval.resource.js';
import { customerResource } from './customer.resource.js';
import { laborEntryResource } from './labor-entry.resource.js';
import { manualStepResource } from './manual-step.resource.js';
import { partResource } from './part.resource.js';
import { processStepResource } from './process-step.resource.js';
import { revisionResource } from './revision.resource.js';
import { subStepResource } from './sub-step.resource.js';
import { travelerStepResource } from './traveler-step.resource.js';
import { travelerSubStepResource } from './traveler-sub-step.resource.js';
import { travelerResource } from './traveler.resource.js';
import { userResource } from './user.resource.js';
import { workCenterResource } from './work-center.resource.js';
import { workOrderResource } from './work-order.resource.js';
import { COMMON_LABELS, NAVIGATION, crudActions, gate, sessionUser, type ResourceDefinition } from './resource-helpers.js';

/** Every table the audit trail records, named as its resource is in the panel. */
const AUDITED = [
  travelerResource, travelerStepResource, travelerSubStepResource, manualStepResource, laborEntryResource, workOrderResource,
  partResource, revisionResource, processStepResource, subStepResource, workCenterResource, customerResource, approvalResource,
  userResource,
];

const AUDIT_ACTIONS = [
  { value: 'create', label: 'created' },
  { value: 'update', label: 'changed' },
  { value: 'delete', label: 'deleted' },
  { value: 'login', label: 'signed in' },
  { value: 'login_failed', label: 'sign-in refused' },
  { value: 'logout', label: 'signed out' },
  { value: 'export', label: 'exported' },
  { value: 'access_denied', label: 'access denied' },
];

const cell = { list: Components.AuditLogCell, show: Components.AuditLogCell };

/** Names the page's rows for people: record titles, field labels, referenced records. */
async function withNames(response: ActionResponse, _request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  const records: RecordJSON[] = response.records ?? (response.record ? [response.record] : []);
  if (records.length === 0) return response;
  const user = sessionUser(context.currentAdmin);
  const displays = await describeAuditRows(AuditLog.sequelize!, records.map((r) => r.params as unknown as AuditRowKey), describerFor(context._admin));
  records.forEach((record, i) => {
    Object.assign(record.params, displays[i]);
    const { table_name: table, record_id: id } = record.params as Record<string, string | null>;
    if (table && id && displays[i]?.record_exists && table in RESOURCE_RULES && RESOURCE_RULES[table as ResourceId].read(user) && table !== 'audit_logs') {
      record.params.record_link = context.h.recordActionUrl({ resourceId: table, recordId: id, actionName: 'history' });
    }
  });
  return response;
}

/** How many rows the export would hold with the list's current filters. */
async function exportPreview(request: ActionRequest): Promise<ActionResponse> {
  try {
    const rowCount = await countAuditLogs(auditLogFilterFromQuery((request.query ?? {}) as Record<string, unknown>));
    return { rowCount };
  } catch (error) {
    if (error instanceof AuditFilterError) return { rowCount: null, notice: { message: error.message, type: 'error' } };
    throw error;
  }
}

const base = crudActions('audit_logs');

export const auditLogResource: ResourceDefinition = {
  resource: AuditLog,
  adapter: AuditLogPanelResource,
  options: {
    id: 'audit_logs',
    navigation: NAVIGATION.quality,
    titleProperty: 'id',
    sort: { sortBy: 'occurred_at', direction: 'desc' },
    listProperties: ['occurred_at', 'who', 'action', 'table_name', 'record_id', 'field_name', 'change'],
    showProperties: [
      'occurred_at', 'action', 'table_name', 'record_id', 'field_name', 'change', 'who', 'actor_email', 'ip_address',
      'user_agent', 'request_id', 'change_id', 'approval_id', 'details', 'id',
    ],
    editProperties: [],
    filterProperties: ['table_name', 'record_id', 'actor_id', 'action', 'field_name', 'occurred_at'],
    properties: {
      id: { isVisible: { list: false, filter: false, show: true, edit: false } },
      who: { type: 'string', isSortable: false, components: cell, isVisible: { list: true, show: true, filter: false, edit: false } },
      change: { type: 'textarea', isSortable: false, components: cell, isVisible: { list: true, show: true, filter: false, edit: false } },
      // Exports are recorded against the audit log itself.
      table_name: { availableValues: [...AUDITED.map(({ options, labels }) => ({ value: options.id as string, label: labels.name })), { value: 'audit_logs', label: 'Audit log' }] },
      record_id: { components: cell },
      field_name: { components: cell },
      action: { availableValues: AUDIT_ACTIONS },
      actor_id: { components: { filter: Components.AuditActorFilter } },
      details: { type: 'mixed', components: { show: Components.AuditLogCell } },
    },
    actions: {
      ...base,
      list: { ...base.list, after: [base.list!.after as never, withNames] as never },
      show: { ...base.show, after: withNames },
      exportCsv: {
        actionType: 'resource',
        icon: 'Download',
        component: Components.AuditExport,
        // In a drawer over the list, so that the list's filters are in the address it opens with.
        showInDrawer: true,
        isAccessible: gate(canReviewAuditTrail),
        handler: exportPreview,
      },
      auditActors: {
        actionType: 'resource',
        isVisible: false,
        isAccessible: gate(canReviewAuditTrail),
        handler: async () => ({ actors: await listAuditActors() }),
        component: false,
      },
      // Extra actions next to the generic ones: AdminJS's types cannot express that mix.
    } as NonNullable<ResourceOptions['actions']>,
  },
  labels: {
    name: 'Audit log',
    properties: {
      ...COMMON_LABELS,
      occurred_at: 'When',
      who: 'Who',
      action: 'Action',
      table_name: 'Record type',
      record_id: 'Record',
      field_name: 'Field',
      change: 'Change',
      old_value: 'Old value',
      new_value: 'New value',
      actor_id: 'User',
      actor_username: 'User name',
      actor_name: 'Name',
      actor_email: 'Email',
      ip_address: 'IP address',
      user_agent: 'Browser',
      request_id: 'Request',
      change_id: 'Change id',
      approval_id: 'Approval',
      details: 'Details',
    },
  },
};
