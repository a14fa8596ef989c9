import AdminJS, { NotFoundError, type Action, type ActionContext, type ActionRequest, type ActionResponse } from 'adminjs';
import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { Components } from '../panel/component-loader.js';
import { describerFor } from '../panel/record-describer.js';
import { RESOURCE_RULES, canReviewAuditTrail, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import { DEFAULT_HISTORY_LIMIT, recordHistory, type HistoryFilter } from '../audit/audit-history.service.js';
import { pendingForRecord } from '../approvals/approval-inbox.service.js';

type ActionOptions = Partial<Action<ActionResponse>>;
type Gate = (context: ActionContext) => boolean;

/**
 * "History" on a record: its audit trail as a timeline. Whoever may read the record may read its
 * history; where it came from (IP address, browser) is for audit reviewers only.
 */
/**
 * What the History page shows: the record's audit trail and the changes to it waiting for
 * approval. Served by the History action and, without AdminJS's loading of the record and its
 * references, by GET /admin/api/history/:resource/:id (src/http/routes/history.routes.ts), which
 * the page itself calls.
 */
export async function historyPayload(
  db: Sequelize,
  admin: AdminJS,
  model: ModelStatic<Model>,
  recordId: string,
  user: SessionUser | undefined,
  narrowed: { filter?: HistoryFilter; limit?: number } = {},
) {
  const table = model.getTableName();
  const tableName = typeof table === 'string' ? table : table.tableName;
  // Independent reads, side by side on two pooled connections: the page waits for the slower only.
  const [history, pending] = await Promise.all([
    recordHistory(db, tableName, recordId, {
      describe: describerFor(admin),
      includeNetwork: canReviewAuditTrail(user),
      canReadTable: (t) => t in RESOURCE_RULES && RESOURCE_RULES[t as ResourceId].read(user),
      limit: narrowed.limit ?? DEFAULT_HISTORY_LIMIT,
      filter: narrowed.filter ?? {},
      // The fields and people to filter by, for the page's controls.
      facets: true,
    }),
    // Changes held back for approval are not history yet, but whoever reads the record must know of them.
    RESOURCE_RULES.approvals.read(user) ? pendingForRecord(db, tableName, recordId) : Promise.resolve([]),
  ]);
  return { history, pending };
}

export function historyAction(isAccessible: Gate, db: Sequelize): ActionOptions {
  return {
    actionType: 'record',
    icon: 'Clock',
    component: Components.History,
    showInDrawer: false,
    isAccessible,
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, resource, currentAdmin, _admin } = context;
      if (!record) throw new NotFoundError(`No record to show the history of in ${resource.id()}`, 'history');
      const model = (resource as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
      const payload = await historyPayload(db, _admin, model, String(record.id()), currentAdmin as unknown as SessionUser | undefined);
      return { record: record.toJSON(currentAdmin), ...payload };
    },
  };
}

/**
 * The changes to a record that wait for approval, for the banner on the record's own page.
 * Hidden: the banner calls it; reading the record is what allows it.
 */
export function pendingChangesAction(isAccessible: Gate, db: Sequelize): ActionOptions {
  return {
    actionType: 'record',
    component: false,
    isVisible: false,
    isAccessible,
    handler: async (_request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { record, resource, currentAdmin } = context;
      if (!record) throw new NotFoundError(`No record in ${resource.id()}`, 'pendingChanges');
      const user = currentAdmin as unknown as SessionUser | undefined;
      const model = (resource as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
      const table = model.getTableName();
      const tableName = typeof table === 'string' ? table : table.tableName;
      const pending = RESOURCE_RULES.approvals.read(user) ? await pendingForRecord(db, tableName, String(record.id())) : [];
      return { record: record.toJSON(currentAdmin), pending };
    },
  };
}
