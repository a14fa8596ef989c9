import type { Action, ActionContext, ActionRequest, ActionResponse, BaseRecord } from 'adminjs';
import { Components } from '../panel/component-loader.js';
import { listExportHref, listSelection } from '../panel/list-export.js';
import { CHOOSABLE_FILTER, TITLE_PROPERTY } from '../records/record-title-sql.js';
import { describerFor } from '../panel/record-describer.js';
import { estimatedCountOf } from '../panel/panel-request-state.js';
import { tileFiltersOf } from '../dashboard/tile-filters.js';

type ActionOptions = Partial<Action<ActionResponse>>;
type Gate = (context: ActionContext) => boolean;

const RANGE = /~~(from|to)$/;

/** The list's filters as the person reads them: "Status: on hold", "Due date from: 2026-03-01", "Late: ...". */
async function describeFilters(request: ActionRequest, context: ActionContext): Promise<Array<{ name: string; value: string }>> {
  const { resource, _admin } = context;
  const { filter, filters } = listSelection(resource, (request.query ?? {}) as Record<string, unknown>);
  await filter.populate(context);
  const describer = describerFor(_admin);
  const named = tileFiltersOf(resource.id());
  return Object.entries(filters).flatMap(([key, raw]) => {
    const value = String(raw ?? '');
    if (value === '' || key === CHOOSABLE_FILTER) return [];
    if (Object.hasOwn(named, key)) return [{ name: named[key]!.label, value: 'yes' }];
    if (key === TITLE_PROPERTY) return [{ name: 'Search', value }];
    const path = key.replace(RANGE, '');
    const range = RANGE.exec(key)?.[1];
    const name = `${describer.fieldLabel(resource.id(), path)}${range ? ` ${range}` : ''}`;
    const property = resource.decorate().getPropertyByKey(path);
    const label = property?.availableValues()?.find((v) => String(v.value) === value)?.label;
    const populated = filter.get(path)?.populated as BaseRecord | null | undefined;
    const title = populated ? String(populated.params[TITLE_PROPERTY] ?? populated.id()) : undefined;
    return [{ name, value: label ?? title ?? value }];
  });
}

/**
 * "Export CSV" over any list: a drawer that says which filters apply and how many rows match,
 * with the download link (GET /admin/exports/lists/<resource>.csv, http/routes/list-export.routes.ts).
 * Whoever may read the list may export it; the audit log keeps its own export.
 */
export function listExportAction(isAccessible: Gate): ActionOptions {
  return {
    actionType: 'resource',
    icon: 'Download',
    component: Components.ListExport,
    // In a drawer over the list, so that the list's filters are in the address it opens with.
    showInDrawer: true,
    isAccessible,
    handler: async (request: ActionRequest, _response: unknown, context: ActionContext): Promise<ActionResponse> => {
      const { resource, _admin } = context;
      const query = (request.query ?? {}) as Record<string, unknown>;
      const { filter } = listSelection(resource, query);
      const rowCount = await resource.count(filter, context);
      const kept = new URLSearchParams();
      for (const [key, value] of Object.entries(query)) {
        if ((key.startsWith('filters.') || key === 'sortBy' || key === 'direction') && typeof value === 'string' && value !== '') kept.append(key, value);
      }
      return {
        rowCount,
        estimated: estimatedCountOf(context)?.estimated ?? false,
        filters: await describeFilters(request, context),
        downloadHref: listExportHref(_admin.options.rootPath, resource.id(), kept.toString()),
      };
    },
  };
}
