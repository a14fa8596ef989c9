import type { Request, Response } from 'express';

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
`;

export function panelStyles(_req: Request, res: Response): void {
  res.type('text/css').set('Cache-Control', 'public, max-age=3600').send(PANEL_CSS);
}
