import { Filter, flat, type BaseResource } from 'adminjs';
import { Sequelize, type Model, type ModelStatic } from 'sequelize';
import type { RecordDescriber } from '../audit/audit-history.service.js';
import { shopTimeZone } from '../audit/audit-values.js';
import type { ExportColumn } from '../exports/list-export.service.js';
import { formatDateTime } from '../shared/value-format.js';
import type { ListSort } from './nexus-resource.adapter.js';
import { titleLiteral } from '../records/record-title-sql.js';

/**
 * A list's CSV as the panel defines it: where it is downloaded, which columns a resource's file
 * has and how each value reads, and the list's selection from its query string. The list action
 * links to it and the download route (http/routes/list-export.routes.ts) serves it.
 */
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

export function modelOf(resource: BaseResource): ModelStatic<Model> | undefined {
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
