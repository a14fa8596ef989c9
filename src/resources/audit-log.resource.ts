import type { ActionContext, ActionRequest, ActionResponse, RecordJSON, ResourceOptions } from 'adminjs';
import type { Sequelize } from 'sequelize';
import { Components } from '../panel/component-loader.js';
import { AuditLogPanelResource } from '../panel/audit-log.adapter.js';
import { describerFor } from '../panel/record-describer.js';
import { RESOURCE_RULES, canReviewAuditTrail, type ResourceId } from '../auth/access-rules.js';
import { listAuditActors } from '../audit/audit-actors.service.js';
import { countAuditLogs } from '../audit/audit-export.service.js';
import { auditFieldLabel, type RecordDescriber } from '../audit/audit-history.service.js';
import { AuditFilterError, auditLogFilterFromQuery, type AuditLogFilter } from '../audit/audit-log-filter.js';
import { describeAuditRows, type AuditRowKey } from '../audit/audit-row-display.service.js';
import { shopTimeZone } from '../audit/audit-values.js';
import { recordTitles, titleKey } from '../audit/record-titles.js';
import { formatActor, formatDateTime } from '../shared/value-format.js';
import { AuditLog, User } from '../models/index.js';
import { COMMON_LABELS, NAVIGATION, crudActions, gate, sessionUser, type ResourceDefinition } from './resource-helpers.js';
import type { AppContext } from '../app-context.js';
import { lagNotice } from '../db/read-replica.js';
import { panelRequestOf } from '../panel/panel-request-state.js';

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

/**
 * Names the page's rows for people: record titles, field labels, values as read, referenced
 * records, the time with its zone, the browser. Rows of one change (one save) that follow each
 * other on the page are marked, so that the list shows them as one group: the first row says
 * when and who, the others continue it.
 */
async function withNames(db: Sequelize, response: ActionResponse, context: ActionContext): Promise<ActionResponse> {
  const records: RecordJSON[] = response.records ?? (response.record ? [response.record] : []);
  if (records.length === 0) return response;
  const user = sessionUser(context.currentAdmin);
  const displays = await describeAuditRows(
    db,
    records.map((r) => r.params as unknown as AuditRowKey),
    describerFor(context._admin),
  );
  records.forEach((record, i) => {
    Object.assign(record.params, displays[i]);
    const { table_name: table, record_id: id } = record.params as Record<string, string | null>;
    if (table && id && displays[i]?.record_exists && table in RESOURCE_RULES && RESOURCE_RULES[table as ResourceId].read(user) && table !== 'audit_logs') {
      record.params.record_link = context.h.recordActionUrl({ resourceId: table, recordId: id, actionName: 'history' });
    }
  });
  if (response.records) {
    let start = 0;
    for (let i = 1; i <= records.length; i++) {
      const changeId = records[start]!.params.change_id;
      if (i < records.length && changeId && records[i]!.params.change_id === changeId) continue;
      // Rows start..i-1 are one change: the first leads, the rest continue it.
      for (let j = start; j < i; j++) {
        records[j]!.params.change_rows = i - start;
        records[j]!.params.change_position = j - start + 1;
      }
      start = i;
    }
  }
  return response;
}

/**
 * Where the page was read (meta.readFrom: primary or replica, db/read-replica.ts), and, when the
 * replica is behind, a notice above the list that says by how much.
 */
async function sayWhereRead(response: ActionResponse, _request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  const place = await panelRequestOf(context)?.reportPlace;
  if (!place) return response;
  const meta = { ...response.meta, readFrom: place.source, lagSeconds: place.lagSeconds, ...(place.fallback && { replicaSkipped: place.fallback }) };
  const message = lagNotice(place, 'audit rows');
  if (!message) return { ...response, meta };
  const notice = response.notice ? `${String(response.notice.message)} ${message}` : message;
  return { ...response, notice: { message: notice, type: 'info' }, meta };
}

/**
 * A page of the audit log holds 50 rows unless the address asks otherwise: one save writes a
 * row per field, and AdminJS's 10 split a single change over pages.
 */
export const AUDIT_LIST_PER_PAGE = 50;

async function auditPerPage(request: ActionRequest): Promise<ActionRequest> {
  const query = (request.query ?? {}) as Record<string, unknown>;
  if (query.perPage !== undefined && query.perPage !== '') return request;
  return { ...request, query: { ...query, perPage: String(AUDIT_LIST_PER_PAGE) } };
}

/**
 * The list's filters as people read them, for the export drawer: "Record type: Travelers",
 * "Record: T-26004", "User: Test engineer (engineer.user)", times in the shop's zone.
 */
async function readableFilters(db: Sequelize, filter: AuditLogFilter, describe: RecordDescriber): Promise<Array<{ name: string; value: string }>> {
  const timeZone = shopTimeZone();
  const out: Array<{ name: string; value: string }> = [];
  if (filter.table_name) out.push({ name: 'Record type', value: describe.tableLabel(filter.table_name) });
  if (filter.record_id) {
    let value = `#${filter.record_id}`;
    if (filter.table_name) {
      const ref = (await recordTitles(db, [{ table: filter.table_name, id: filter.record_id }])).get(titleKey(filter.table_name, filter.record_id));
      if (ref && ref.title !== value) value = ref.title.includes(`#${filter.record_id}`) ? ref.title : `${ref.title} (#${filter.record_id})`;
    }
    out.push({ name: 'Record', value });
  }
  if (filter.actor_id !== undefined) {
    const user = await User.findByPk(filter.actor_id, { attributes: ['full_name', 'username'] });
    out.push({ name: 'User', value: user ? formatActor({ kind: 'user', username: user.username, name: user.full_name }) : `user #${filter.actor_id}` });
  }
  if (filter.action) out.push({ name: 'Action', value: describe.valueLabel?.('audit_logs', 'action', filter.action) ?? filter.action });
  if (filter.field_name) {
    out.push({ name: 'Field', value: filter.table_name ? auditFieldLabel(describe, filter.table_name, filter.field_name) : filter.field_name });
  }
  if (filter.occurred_from) out.push({ name: 'From', value: formatDateTime(filter.occurred_from, timeZone) });
  if (filter.occurred_to) out.push({ name: 'To', value: formatDateTime(filter.occurred_to, timeZone) });
  return out;
}

/** How many rows the export would hold with the list's current filters, and those filters by name. */
async function exportPreview(db: Sequelize, request: ActionRequest, context: ActionContext): Promise<ActionResponse> {
  try {
    const filter = auditLogFilterFromQuery((request.query ?? {}) as Record<string, unknown>);
    const [rowCount, filters] = await Promise.all([countAuditLogs(filter), readableFilters(db, filter, describerFor(context._admin))]);
    return { rowCount, filters, timeZone: shopTimeZone() };
  } catch (error) {
    if (error instanceof AuditFilterError) return { rowCount: null, notice: { message: error.message, type: 'error' } };
    throw error;
  }
}

/** `audited`: every table the audit trail records, named as its resource is in the panel. */
export function auditLogResource(ctx: AppContext, audited: readonly ResourceDefinition[]): ResourceDefinition {
  const named = (response: ActionResponse, _request: ActionRequest, context: ActionContext) => withNames(ctx.db, response, context);
  const base = crudActions('audit_logs', ctx);
  return {
    resource: AuditLog,
    adapter: AuditLogPanelResource,
    options: {
      id: 'audit_logs',
      navigation: NAVIGATION.quality,
      titleProperty: 'id',
      sort: { sortBy: 'occurred_at', direction: 'desc' },
      listProperties: ['occurred_at', 'who', 'action', 'table_name', 'record_id', 'field_name', 'change'],
      showProperties: [
        'occurred_at',
        'action',
        'table_name',
        'record_id',
        'field_name',
        'change',
        'who',
        'actor_email',
        'ip_address',
        'user_agent',
        'request_id',
        'change_id',
        'approval_id',
        'details',
        'id',
      ],
      editProperties: [],
      filterProperties: ['table_name', 'record_id', 'actor_id', 'action', 'field_name', 'occurred_at'],
      properties: {
        id: { isVisible: { list: false, filter: false, show: true, edit: false } },
        who: { type: 'string', isSortable: false, components: cell, isVisible: { list: true, show: true, filter: false, edit: false } },
        change: { type: 'textarea', isSortable: false, components: cell, isVisible: { list: true, show: true, filter: false, edit: false } },
        // Exports are recorded against the audit log itself.
        table_name: {
          availableValues: [
            ...audited.map(({ options, labels }) => ({ value: options.id as string, label: labels.name })),
            { value: 'audit_logs', label: 'Audit log' },
          ],
        },
        record_id: { components: cell },
        field_name: { components: cell },
        // Shown in the shop's zone, with it, as every audit view writes times; filtered as a date.
        occurred_at: { components: cell },
        // "Chrome 156 on Linux", the full text on demand.
        user_agent: { components: { show: Components.AuditLogCell } },
        action: { availableValues: AUDIT_ACTIONS },
        actor_id: { components: { filter: Components.AuditActorFilter } },
        details: { type: 'mixed', components: { show: Components.AuditLogCell } },
      },
      actions: {
        ...base,
        list: { ...base.list, before: auditPerPage, after: [base.list!.after as never, named, sayWhereRead] as never },
        show: { ...base.show, after: named },
        exportCsv: {
          actionType: 'resource',
          icon: 'Download',
          component: Components.AuditExport,
          // In a drawer over the list, so that the list's filters are in the address it opens with.
          showInDrawer: true,
          isAccessible: gate(canReviewAuditTrail),
          handler: (request: ActionRequest, _response: unknown, context: ActionContext) => exportPreview(ctx.db, request, context),
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
}
