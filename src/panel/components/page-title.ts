import { useEffect } from 'react';

/**
 * Browser tab titles that name what is open: "Traveler T-26007 · NEXUS", "Travelers · NEXUS",
 * "New work order · NEXUS", not "NEXUS" on every tab. Several parts of a page know a part of it
 * (the footer knows the address, the breadcrumbs know the record's title), so each claims a
 * title with a rank and the best claim for the page now open wins, whatever order React runs
 * their effects in. Used by page-footer.tsx and breadcrumbs.tsx; not a component itself.
 */
export const APP_NAME = 'NEXUS';

interface Claim {
  rank: number;
  title: string;
  path: string;
}

const claims = new Map<symbol, Claim>();

function applyClaims(): void {
  const path = window.location.pathname;
  let best: Claim | undefined;
  for (const claim of claims.values()) {
    if (claim.path !== path) continue;
    if (!best || claim.rank >= best.rank) best = claim;
  }
  const title = best ? `${best.title} · ${APP_NAME}` : APP_NAME;
  if (document.title !== title) document.title = title;
}

/** Rank of a title from the address alone; a part that knows the record claims above it. */
export const FROM_ADDRESS = 0;
export const FROM_RECORD = 1;

/** Claims the tab's title while the calling component shows the page at `path`. */
export function usePageTitle(title: string | null | undefined, rank: number, path: string): void {
  useEffect(() => {
    if (!title) return undefined;
    const key = Symbol(title);
    claims.set(key, { rank, title, path });
    applyClaims();
    return () => {
      claims.delete(key);
      applyClaims();
    };
  }, [title, rank, path]);
}

// "Travelers" → "Traveler"; names that are no plural of a record, by hand.
const SINGULAR: Record<string, string> = { Labor: 'Labor entry', 'Mail outbox': 'Mail', 'Audit log': 'Audit row' };

/** One record of a resource: "Travelers" → "Traveler", "Work orders" → "Work order". */
export function singular(resourceName: string): string {
  if (SINGULAR[resourceName]) return SINGULAR[resourceName]!;
  if (/ies$/.test(resourceName)) return resourceName.replace(/ies$/, 'y');
  if (/(ss|sh|ch|x)es$/.test(resourceName)) return resourceName.replace(/es$/, '');
  return resourceName.replace(/s$/, '');
}

const lower = (text: string) => text.replace(/^./, (c) => c.toLowerCase());

/**
 * What a page is, in words: the title of the tab (and the heading a page may show).
 * `recordTitle` undefined means "not known yet"; the record is then named by its id.
 */
export function describePage(page: {
  resourceName: string;
  actionName?: string;
  actionLabel?: string;
  recordId?: string;
  recordTitle?: string | null;
  bulk?: boolean;
}): string {
  const { resourceName, actionName, actionLabel, recordId } = page;
  const one = singular(resourceName);
  if (recordId !== undefined) {
    const recordTitle = page.recordTitle || `#${recordId}`;
    const record = `${one} ${recordTitle}`;
    switch (actionName) {
      case undefined:
      case 'show':
        return record;
      case 'edit':
        return `Edit ${lower(one)} ${recordTitle}`;
      case 'delete':
        return `Delete ${lower(one)} ${recordTitle}`;
      case 'history':
        return `History of ${lower(one)} ${recordTitle}`;
      default:
        return `${actionLabel ?? actionName} · ${record}`;
    }
  }
  if (page.bulk) return `${actionLabel ?? actionName} · ${resourceName}`;
  if (!actionName || actionName === 'list') return resourceName;
  if (actionName === 'new') return `New ${lower(one)}`;
  return `${actionLabel ?? actionName} · ${resourceName}`;
}
