import type React from 'react';
import { actionHref, buildActionTestId, type ActionJSON } from 'adminjs';
import type { ButtonInGroupProps } from '@adminjs/design-system';

/**
 * Pieces of AdminJS's action header and list row that its frontend bundle does not export, so
 * the overrides in action-header.tsx and record-in-list.tsx copy them (adminjs 7.8,
 * frontend/components/app/action-header/actions-to-button-group.ts).
 */

/** The id of the filter drawer (filter-drawer.tsx), which the Filter button opens and closes. */
export const FILTER_DRAWER_ID = 'nexus-filter-drawer';

interface Params {
  resourceId: string;
  recordId?: string;
  recordIds?: string[];
}

/** Action buttons for a ButtonGroup: each with its link, child actions nested under their parent. */
export function actionsToButtonGroup(
  actions: ActionJSON[],
  params: Params,
  handleClick: (event: React.MouseEvent, action: ActionJSON) => unknown,
  translateAction: (label: string, resourceId: string) => string,
): ButtonInGroupProps[] {
  const buttons = actions.map((action) => {
    const href = actionHref(action, params);
    return {
      icon: action.icon,
      label: translateAction(action.label, params.resourceId),
      variant: action.variant,
      source: action,
      href: href || undefined,
      // Without a link there is nothing to click through to (AdminJS: no pointer cursor either).
      onClick: href ? handleClick : undefined,
      'data-testid': buildActionTestId(action),
      buttons: [] as ButtonInGroupProps[],
      'data-css': `${action.resourceId}-${action.name}-button`,
    } as ButtonInGroupProps & { source: ActionJSON; buttons: ButtonInGroupProps[] };
  });
  const byName = new Map<string, ButtonInGroupProps>();
  for (const button of buttons) {
    const action = button.source;
    if (action.parent) {
      const parent = byName.get(action.parent) ?? buttons.find((b) => b.source.name === action.parent) ?? { label: action.parent, buttons: [] };
      parent.buttons = [...(parent.buttons ?? []), button];
      byName.set(action.parent, parent);
    } else {
      byName.set(action.name, button);
    }
  }
  return [...byName.values()];
}

/**
 * Which list columns show at each breakpoint (AdminJS's records-table/utils/display): on a phone
 * only the title column; header and rows must agree or the <th> stop matching their cells.
 */
export const listCellDisplay = (isTitle: boolean): string[] => [isTitle ? 'table-cell' : 'none', isTitle ? 'table-cell' : 'none', 'table-cell', 'table-cell'];
