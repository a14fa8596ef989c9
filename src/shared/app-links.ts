/** Where the panel is served under the app's address. */
export const PANEL_ROOT = '/admin';

/**
 * Absolute addresses of NEXUS's pages, for what is read away from the panel: links in mail and
 * the printed traveler's QR code. Made once from the configuration (APP_URL) and handed to what
 * needs it, so that two apps in one process (tests, a second instance) each link to their own.
 */
export interface AppLinks {
  /** The address people open NEXUS at, without a trailing slash. */
  readonly baseUrl: string;
  /** The panel's path under it. */
  readonly panelRoot: string;
  /** A record's page in the panel. */
  record(resourceId: string, id: number | string): string;
}

export function appLinks(baseUrl: string, panelRoot: string = PANEL_ROOT): AppLinks {
  const base = baseUrl.replace(/\/+$/, '');
  return Object.freeze({
    baseUrl: base,
    panelRoot,
    record: (resourceId: string, id: number | string) =>
      `${base}${panelRoot}/resources/${encodeURIComponent(resourceId)}/records/${encodeURIComponent(String(id))}/show`,
  });
}
