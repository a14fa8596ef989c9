import { BaseRecord, type ActionContext, type Filter } from 'adminjs';
import { Op, literal, type WhereOptions } from 'sequelize';
import { AuditLog } from '../models/index.js';
import { auditLogWhere, parseAuditLogFilter } from '../audit/audit-log-filter.js';
import { listCount } from './list-count.js';
import { NexusResource } from './nexus-resource.adapter.js';
import { noteEstimatedCount, reportPlaceOf } from './panel-request-state.js';
import { readAt } from '../db/read-replica.js';

/**
 * The audit log's list filters with the same exact-match meaning as the CSV export (the stock
 * adapter matches text with LIKE '%value%'), so that the export holds what the list showed. The
 * rows and the total come from where the app's report reads go (a read replica when one serves:
 * db/read-replica.ts).
 */
export class AuditLogPanelResource extends NexusResource {
  private whereOf(filter: Filter): WhereOptions {
    const raw: Record<string, unknown> = {};
    let id: string | undefined;
    for (const { path, value } of Object.values(filter.filters ?? {})) {
      if (path === 'id') id = String(value);
      else raw[path] = value;
    }
    const where = auditLogWhere(parseAuditLogFilter(raw));
    if (id === undefined) return where;
    // The panel's record search looks rows up by id (the title property): text matches none.
    return { [Op.and]: [where, /^\d{1,18}$/.test(id) ? { id } : literal('false')] };
  }

  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const place = await reportPlaceOf(this.app.reports, context);
    const count = await listCount(place.db, AuditLog as never, this.whereOf(filter), Object.keys(filter.filters ?? {}).length > 0);
    if (count.estimated) noteEstimatedCount(context, count);
    return count.total;
  }

  override async find(
    filter: Filter,
    { limit = 20, offset = 0, sort = {} }: { limit?: number; offset?: number; sort?: { sortBy?: string; direction?: 'asc' | 'desc' } },
    context?: ActionContext,
  ): Promise<BaseRecord[]> {
    const direction = sort.direction === 'asc' ? 'ASC' : 'DESC';
    const sortBy = sort.sortBy && sort.sortBy in AuditLog.getAttributes() ? sort.sortBy : 'occurred_at';
    const place = await reportPlaceOf(this.app.reports, context);
    const rows = await readAt(place, (options) =>
      AuditLog.findAll({
        ...options,
        where: this.whereOf(filter),
        limit,
        offset,
        // id breaks ties: the rows of one change share their moment, and pages must not overlap.
        order: [
          [sortBy, direction],
          ['id', direction],
        ],
      }),
    );
    return rows.map((row) => new BaseRecord(row.toJSON(), this));
  }
}
