import { ViewHelpers } from 'adminjs';

// Addresses inside the panel, under whatever path the panel is mounted at (AdminJS's rootPath,
// read from the page's state), never a hard-coded "/admin".
const helpers = () => new ViewHelpers();

/** A record's page, or one of its actions ("history", "createTraveler"). */
export const recordUrl = (resourceId: string, recordId: string | number, action = 'show'): string =>
  helpers().recordActionUrl({ resourceId, recordId: String(recordId), actionName: action });

/** A resource's list, with a query string of filters and sort ("filters.status=on_hold"). */
export const listUrl = (resourceId: string, query = ''): string => helpers().resourceUrl({ resourceId, search: query ? `?${query}` : '' });

/** A custom page ("myApprovals"). */
export const pageUrl = (pageName: string): string => helpers().pageUrl(pageName);

/** Any other address under the panel: its JSON APIs, the printed traveler, the CSV downloads. */
export const panelUrl = (path: string): string => helpers().urlBuilder([path]);
