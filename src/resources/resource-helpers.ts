import {
  NotFoundError,
  type ActionContext,
  type ActionRequest,
  type ActionResponse,
  type BaseResource,
  type CurrentAdmin,
  type ResourceOptions,
} from 'adminjs';
import type { Model, ModelStatic } from 'sequelize';
import { RESOURCE_RULES, type Predicate, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import { MissingActorError } from '../audit/actor.js';
import { deleteRecords } from '../records/record.service.js';
import { actorOf, captureFormInput, estimatedCountOf, submittedForApproval } from '../panel/panel-request-state.js';
import { estimateNotice } from '../panel/list-count.js';
import { toPanelError } from '../panel/nexus-resource.adapter.js';
import { Components } from '../panel/component-loader.js';
import { historyAction, pendingChangesAction } from './history.action.js';
import { listExportAction } from './list-export.action.js';
import type { AppContext } from '../app-context.js';

/** What each resource file makes of the app's context: the model, its declarative options, and its field labels. */
export interface ResourceDefinition {
  resource: ModelStatic<Model>;
  /** A resource-specific adapter class, when the generic one (NexusResource) does not fit. */
  adapter?: new (model: ModelStatic<Model>, ctx: AppContext) => BaseResource;
  options: ResourceOptions;
  labels: { name: string; properties: Record<string, string> };
}

export const NAVIGATION = {
  travelers: { name: 'Travelers', icon: 'Clipboard' },
  engineering: { name: 'Engineering data', icon: 'Tool' },
  quality: { name: 'Quality', icon: 'CheckSquare' },
  administration: { name: 'Administration', icon: 'Settings' },
} as const;

export function sessionUser(currentAdmin: CurrentAdmin | undefined): SessionUser | undefined {
  return currentAdmin as unknown as SessionUser | undefined;
}

export const gate =
  (predicate: Predicate) =>
  ({ currentAdmin }: { currentAdmin?: CurrentAdmin }) =>
    predicate(sessionUser(currentAdmin));

/**
 * Bulk delete in one transaction through the record service: all selected records go, or
 * none do and the reason is shown. The stock handler deletes one by one with no actor.
 */
async function bulkDeleteHandler(request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> {
  const { records = [], resource, h, currentAdmin } = context;
  const recordsJson = records.map((r) => r.toJSON(currentAdmin));
  if (request.method === 'get') return { records: recordsJson };
  const actor = actorOf(context);
  if (!actor) throw new MissingActorError(`bulk delete from ${resource.id()}`);
  const model = (resource as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
  try {
    const count = await deleteRecords(
      model,
      records.map((r) => r.id()),
      actor,
    );
    return {
      records: recordsJson,
      notice: { message: `Deleted ${count} record${count === 1 ? '' : 's'}`, type: 'success' },
      redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
    };
  } catch (error) {
    // Thrown, not answered as a notice: AdminJS then marks the refusal on the response, and a
    // caller outside the panel gets its status (403, 409...) instead of a 200 (admin-router.ts).
    throw toPanelError(error);
  }
}

/**
 * Delete of one record. The stock handler answers a refused delete with HTTP 200 and an error
 * notice; this one lets the refusal through as such (the panel still shows its message), and a
 * delete held for approval says where the request went.
 */
async function deleteHandler(request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> {
  const { record, resource, h, currentAdmin } = context;
  if (!record) throw new NotFoundError(`There is no such ${resource.id()} record.`, 'delete');
  if (request.method === 'get') return { record: record.toJSON(currentAdmin) };
  try {
    await resource.delete(record.id(), context);
  } catch (error) {
    if (submittedForApproval(context)) return reportSubmittedForApproval({ record: record.toJSON(currentAdmin) }, request, context);
    throw error;
  }
  return {
    record: record.toJSON(currentAdmin),
    redirectUrl: h.resourceUrl({ resourceId: resource.id() }),
    notice: { message: 'successfullyDeleted', type: 'success' },
  };
}

/**
 * A change held back for approval is neither a success nor an error: say where it went and open
 * the request.
 */
async function reportSubmittedForApproval<T extends ActionResponse>(response: T, _request: ActionRequest, context: ActionContext): Promise<T> {
  const submitted = submittedForApproval(context);
  if (!submitted) return response;
  return {
    ...response,
    notice: { message: submitted.message, type: 'info' },
    redirectUrl: context.h.recordActionUrl({ resourceId: 'approvals', recordId: String(submitted.approvalId), actionName: 'show' }),
    approvalId: submitted.approvalId,
  };
}

/** After creating a record the person lands on it, not on the list it went into. */
async function landOnCreatedRecord<T extends ActionResponse>(response: T, request: ActionRequest, context: ActionContext): Promise<T> {
  const record = response.record as { id?: string; errors?: Record<string, unknown> } | undefined;
  if (request.method !== 'post' || !record?.id || Object.keys(record.errors ?? {}).length || !response.redirectUrl) return response;
  return { ...response, redirectUrl: context.h.recordActionUrl({ resourceId: context.resource.id(), recordId: String(record.id), actionName: 'show' }) };
}

/** A list total that was estimated, not counted, is said above the list (src/panel/list-count.ts). */
async function reportEstimatedCount<T extends ActionResponse>(response: T, _request: ActionRequest, context: ActionContext): Promise<T> {
  const count = estimatedCountOf(context);
  if (!count) return response;
  const what = context.resource.id() === 'audit_logs' ? 'audit rows' : context.resource.id().replace(/_/g, ' ');
  const message = estimateNotice(count, what);
  return message ? { ...response, notice: { message, type: 'info' }, meta: { ...response.meta, estimated: count.estimated } } : response;
}

/**
 * The generic actions of a resource, each gated by the role matrix in access-rules.ts. Every
 * audited resource has a History; the audit log is the history itself.
 */
export function crudActions(id: ResourceId, ctx: AppContext): NonNullable<ResourceOptions['actions']> {
  const rules = RESOURCE_RULES[id];
  return {
    list: { isAccessible: gate(rules.read), after: reportEstimatedCount },
    // A record's page offers what is done to the record: the list's "Export CSV" stays on the list.
    show: { isAccessible: gate(rules.read), showResourceActions: false },
    search: { isAccessible: gate(rules.read) },
    // Whoever reads a list may take it away as CSV, with its filters (the audit log has its own).
    exportCsv: listExportAction(gate(rules.read)),
    new: { isAccessible: gate(rules.create), before: captureFormInput, after: [landOnCreatedRecord, reportSubmittedForApproval] },
    edit: { isAccessible: gate(rules.update), showResourceActions: false, before: captureFormInput, after: reportSubmittedForApproval },
    delete: { isAccessible: gate(rules.delete), guard: 'Delete this record? This cannot be undone.', handler: deleteHandler },
    bulkDelete: { isAccessible: gate(rules.delete), handler: bulkDeleteHandler },
    ...(id !== 'audit_logs' && { history: historyAction(gate(rules.read), ctx.db), pendingChanges: pendingChangesAction(gate(rules.read), ctx.db) }),
  };
}

/** Bookkeeping columns shown on the detail page but never typed into a form. */
/**
 * Not a column: the requester's reason, stored on the approval request when the policy holds
 * the change back (ignored otherwise). Listed in the edit forms of resources the policy covers.
 */
export const CHANGE_REASON = 'change_reason';

/** Not a column: the banner of changes waiting for approval, first on a record's page. */
export const PENDING_CHANGES = 'pending_changes';

export const TIMESTAMPS: ResourceOptions['properties'] = {
  [PENDING_CHANGES]: {
    type: 'string',
    components: { show: Components.PendingChanges },
    isVisible: { list: false, filter: false, show: true, edit: false },
  },
  [CHANGE_REASON]: {
    type: 'textarea',
    isVisible: { list: false, filter: false, show: false, edit: true },
    description: 'Only used when this change needs approval: tell the approver why it is needed.',
  },
  id: { isVisible: { list: false, filter: false, show: true, edit: false } },
  version: { isVisible: { list: false, filter: false, show: true, edit: false } },
  created_at: { isVisible: { list: false, filter: true, show: true, edit: false } },
  updated_at: { isVisible: { list: false, filter: true, show: true, edit: false } },
};

export const COMMON_LABELS: Record<string, string> = {
  id: 'ID',
  version: 'Version (changes on every save)',
  created_at: 'Created',
  updated_at: 'Last changed',
  active: 'Active',
  notes: 'Notes',
  change_reason: 'Reason for the change (for approval)',
  pending_changes: 'Waiting for approval',
};

export function textArea(): { type: 'textarea' } {
  return { type: 'textarea' };
}
