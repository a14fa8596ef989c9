import type AdminJS from 'adminjs';
import type { ResourceOptions } from 'adminjs';

/** Where the panel's own stylesheet is served (AdminJS links it from every page: admin.ts). */
export const PANEL_STYLES_PATH = '/panel-assets/panel.css';

/**
 * The few rules AdminJS's styles get wrong for people reading shop data. Its table cells break
 * words anywhere, so "BRK-2210" wrapped as "BR / K-22 / 10" in a narrow column: a list cell's
 * value (an identifier, a date, a badge, a linked title) stays on one line and gets the column
 * width it needs.
 */
const PANEL_CSS = `
table td, table td a {
  word-break: normal;
  overflow-wrap: normal;
}
table tbody td, table tbody td a, table tbody td span {
  white-space: nowrap;
}
/* A link inside a sentence is told from the text around it by more than its colour (WCAG 1.4.1). */
.adminjs_Text a.adminjs_Link, p a.adminjs_Link {
  text-decoration: underline;
}
`;

/**
 * Colours AdminJS's theme gets too light to read (WCAG 1.4.3 asks 4.5:1 for small text, 1.4.11
 * 3:1 for a control's outline). Merged into its theme (branding.theme in admin.ts), so every
 * component that names the colour gets the darker one.
 * - grey60 (#898A9A) is helper text, captions, breadcrumbs and dates: 3.4:1 on white. #5A5B6A
 *   is the same grey at 6.6:1.
 * - grey40 (#BBC3CB) is the background of a Badge without a variant, under white text: 1.78:1,
 *   the unreadable grey step badges. It also draws outlines of inputs and light buttons. #66707A
 *   is the same blue-grey at 5.0:1 under white.
 */
export const PANEL_THEME = {
  colors: {
    grey60: '#5A5B6A',
    grey40: '#66707A',
  },
};

/**
 * What a list shows on a phone: the columns a person tells rows apart by. AdminJS hides every
 * column but the title below its 769px breakpoint, and our titles are a search-only property,
 * so a phone showed rows with no values at all.
 */
export const PHONE_LIST_COLUMNS: Record<string, readonly string[]> = {
  travelers: ['number', 'part_id', 'status', 'due_date'],
};

/** AdminJS's breakpoint below which it hides list columns (design-system theme: 769px). */
const PHONE_MAX_WIDTH = 768;

/**
 * Per listed resource: its chosen columns shown, the others hidden. Body cells carry their
 * property's name; header cells are found by position (the first is the selection checkbox),
 * taken from the resource's listProperties so that a reordered list stays right.
 */
function phoneListCss(admin: AdminJS): string {
  const resources = (admin.options.resources ?? []) as Array<{ options?: ResourceOptions }>;
  const rules: string[] = [];
  for (const [resourceId, keep] of Object.entries(PHONE_LIST_COLUMNS)) {
    const listed = resources.find((r) => r.options?.id === resourceId)?.options?.listProperties ?? [];
    const table = `table[data-css="${resourceId}-table"]`;
    const cells = (show: boolean) =>
      listed
        .map((name, i) => ({ name, i }))
        .filter(({ name }) => keep.includes(name) === show)
        .flatMap(({ name, i }) => [`${table} > thead > tr > :nth-child(${i + 2})`, `${table} > tbody > tr > td[data-property-name="${name}"]`]);
    const shown = cells(true);
    // The selection box and the actions menu too: a tap on the row opens the record, whose page has its actions.
    const hidden = [...cells(false), `${table} > * > tr > :first-child`, `${table} > * > tr > :last-child`];
    if (shown.length) rules.push(`${shown.join(',\n  ')} {\n    display: table-cell !important;\n  }`);
    rules.push(`${hidden.join(',\n  ')} {\n    display: none !important;\n  }`);
    rules.push(`${table} > * > tr > * {\n    padding-left: 6px;\n    padding-right: 6px;\n  }`);
  }
  return rules.length ? `@media (max-width: ${PHONE_MAX_WIDTH}px) {\n  ${rules.join('\n  ')}\n}\n` : '';
}

/**
 * The panel's stylesheet, from its resources' list settings. Served compressed under a versioned
 * address (http/panel-assets.ts), so a browser keeps it until the next build changes it.
 */
export function panelStylesheet(admin: AdminJS): string {
  return PANEL_CSS + phoneListCss(admin);
}
