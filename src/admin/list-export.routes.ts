import { formatDateTime } from './value-format.js';
import { shopTimeZone } from '../audit/audit-values.js';
import type AdminJS from 'adminjs';
import { Filter, flat, type BaseResource, type CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import { RESOURCE_RULES, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import type { RecordDescriber } from '../audit/audit-history.service.js';
import { exportList, type ExportColumn } from '../exports/list-export.service.js';
import { recordAccessDenied } from './access-denied.js';
import { AUDIT_EXPORT_PATH, responseSink } from './audit-export.routes.js';
import { listOrder, listWhere, type ListSort } from './nexus-resource.adapter.js';
import { listQueryGuard } from './list-query-guard.js';
import { titleLiteral } from './panel-titles.js';
import { describerFor } from './record-describer.js';
import { actorOf } from './request-actor.js';
import { asyncRoute } from '../http/async-route.js';

export const LIST_EXPORT_PATH = '/exports/lists/:resourceId.csv';

/** Where a list's CSV is downloaded, with the list's filters, search and sort (its query string). */
export function listExportHref(rootPath: string, resourceId: string, query: string): string {
  return `${rootPath}/exports/lists/${encodeURIComponent(resourceId)}.csv${query ? `?${query}` : ''}`;
}

interface PropertyLike {
  propertyPath: string;
  type(): string;
  isVisible(where: 'list' | 'show'): boolean;
  availableValues(): Array<{ value: unknown; label: string }> | null;
  reference(): BaseResource | null;
}

function modelOf(resource: BaseResource): ModelStatic<Model> | undefined {
  return (resource as unknown as { SequelizeModel?: ModelStatic<Model> }).SequelizeModel;
}

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

/**
 * The file's columns: what the record's page shows that is a column of its table, in the page's
 * order, hidden fields left out as the page leaves them out (a user's password hash is never
 * listed, shown or exported). Each value as people read it: a reference by its title beside its
 * id, a code by its label, Yes/No, a moment in ISO 8601 with its zone (UTC, "Z"), a day as a day.
 */
export function exportColumnsOf(resource: BaseResource, describer: RecordDescriber): ExportColumn[] {
  const model = modelOf(resource);
  if (!model) return [];
  const attributes = model.getAttributes();
  const row = quoted(model.name);
  const columns: ExportColumn[] = [];
  const properties = resource.decorate().getProperties({ where: 'show' }) as unknown as PropertyLike[];
  for (const property of properties) {
    const path = property.propertyPath;
    // Parts of a page that are not columns (its steps, its pending changes) are not in a list's file.
    if (!Object.hasOwn(attributes, path)) continue;
    if (property.type() === 'password' || (!property.isVisible('show') && !property.isVisible('list'))) continue;
    const header = describer.fieldLabel(resource.id(), path);
    const column = `${row}.${quoted(path)}`;
    const type = property.type();
    const labels = new Map((property.availableValues() ?? []).map((v) => [String(v.value), v.label]));
    if (type === 'reference') {
      columns.push({ header: `${header} id`, select: path, key: path });
      const target = property.reference();
      const targetModel = target ? modelOf(target) : undefined;
      const title = targetModel && targetModel !== model ? titleLiteral(targetModel) : undefined;
      if (targetModel && title) {
        const key = `${path}__title`;
        const at = quoted(targetModel.name);
        const sql = `(SELECT ${String(title.val)} FROM ${quoted(targetModel.getTableName() as string)} AS ${at} WHERE ${at}.${quoted(targetModel.primaryKeyAttribute)} = ${column})`;
        columns.push({ header, select: [Sequelize.literal(sql), key], key });
      }
    } else if (type === 'datetime') {
      // Written as History and the audit CSV write a moment: in the shop's zone, named.
      const zone = shopTimeZone();
      columns.push({ header, key: path, select: path, format: (v) => (v === null || v === undefined ? v : formatDateTime(v as Date | string, zone)) });
    } else if (type === 'date') {
      columns.push({ header, key: path, select: [Sequelize.literal(`to_char(${column}, 'YYYY-MM-DD')`), path] });
    } else if (labels.size > 0) {
      columns.push({ header, key: path, select: path, format: (v) => (v === null || v === undefined ? v : (labels.get(String(v)) ?? v)) });
    } else if (type === 'boolean') {
      columns.push({ header, key: path, select: path, format: (v) => (v === null || v === undefined ? v : v ? 'Yes' : 'No') });
    } else {
      columns.push({ header, key: path, select: path });
    }
  }
  return columns;
}

/** The list's filters and order from its query string, exactly as the list action reads them. */
export function listSelection(resource: BaseResource, query: Record<string, unknown>): { filter: Filter; sort: ListSort; filters: Record<string, unknown> } {
  const { filters = {}, sortBy, direction } = flat.unflatten(query) as { filters?: Record<string, unknown>; sortBy?: string; direction?: 'asc' | 'desc' };
  const defaults = (resource.decorate().options.sort ?? {}) as { sortBy?: string; direction?: string };
  return {
    filter: new Filter(filters, resource),
    sort: { sortBy: sortBy ?? defaults.sortBy, direction: direction ?? (defaults.direction as 'asc' | 'desc' | undefined) },
    filters: flat.flatten(filters) as Record<string, unknown>,
  };
}

/**
 * GET /admin/exports/lists/<resource>.csv?filters.status=on_hold — the list with the person's
 * filters, search and sort as a CSV download, for whoever may read the list. The audit log has
 * its own export (its rows are described differently), at AUDIT_EXPORT_PATH.
 */
export function listExportRoutes(admin: AdminJS, logger: Logger): express.Router {
  const router = express.Router();
  router.get(LIST_EXPORT_PATH, listQueryGuard(admin), asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
    const resourceId = String(req.params.resourceId);
    let resource: BaseResource;
    try {
      if (!Object.hasOwn(RESOURCE_RULES, resourceId)) throw new Error('unknown');
      resource = admin.findResource(resourceId);
    } catch {
      res.status(404).json({ error: `There is no list "${resourceId.slice(0, 60)}" to export.` });
      return;
    }
    if (resourceId === 'audit_logs') {
      res.status(404).json({ error: `The audit log is exported from its own list: ${admin.options.rootPath}${AUDIT_EXPORT_PATH}` });
      return;
    }
    const currentAdmin = res.locals.currentAdmin as CurrentAdmin | undefined;
    if (!RESOURCE_RULES[resourceId as ResourceId].read(currentAdmin as unknown as SessionUser | undefined)) {
      await recordAccessDenied(req, res, logger, `${resourceId} list export`);
      res.status(403).json({ error: 'Your role does not allow reading this list.' });
      return;
    }
    const actor = actorOf({ currentAdmin });
    const model = modelOf(resource);
    if (!actor || !model) {
      res.status(401).json({ error: 'Not signed in (or the session has ended): sign in again.' });
      return;
    }
    try {
      const { filter, sort, filters } = listSelection(resource, req.query as Record<string, unknown>);
      const spec = {
        model,
        list: resourceId,
        where: listWhere(model, filter),
        order: listOrder(model, sort),
        columns: exportColumnsOf(resource, describerFor(admin)),
        filters,
      };
      await exportList(model.sequelize!, actor, spec, responseSink(res, resourceId.replace(/_/g, '-')));
      res.end();
    } catch (error) {
      // Once the first line is out, the status cannot change: cut the download short instead,
      // so that a truncated file is never mistaken for a complete one.
      if (res.headersSent) res.destroy();
      else next(error);
    }
  }));
  return router;
}
