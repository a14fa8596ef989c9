import type AdminJS from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { SessionUser } from '../../auth/access-rules.js';
import { SearchQueryError, globalSearch } from '../../search/global-search.service.js';
import { TITLE_PROPERTY } from '../../records/record-title-sql.js';
import { asyncRoute } from '../async-route.js';

export const GLOBAL_SEARCH_PATH = '/api/search';

/**
 * GET /admin/api/search?q=T-26007 — the top bar's search (panel/components/top-bar.tsx). Answers
 * JSON: groups by kind, each hit with the address of its page and each group with the address of
 * its list filtered by the same text. Kinds the person may not read are simply not searched: a
 * search is not a refused request, and leaves no "access denied" row.
 */
export function globalSearchRoutes(admin: AdminJS): express.Router {
  const router = express.Router();
  const root = admin.options.rootPath;
  router.get(
    GLOBAL_SEARCH_PATH,
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const user = res.locals.currentAdmin as SessionUser;
        const result = await globalSearch(user, req.query.q);
        res.set('Cache-Control', 'no-store').json({
          ...result,
          groups: result.groups.map((group) => ({
            ...group,
            // In the order the search showed them (by title), the rest after.
            listHref: `${root}/resources/${group.kind}?${new URLSearchParams({ [`filters.${TITLE_PROPERTY}`]: result.text, sortBy: TITLE_PROPERTY, direction: 'asc' }).toString()}`,
            hits: group.hits.map((hit) => ({ ...hit, href: `${root}/resources/${group.kind}/records/${hit.id}/show` })),
          })),
        });
      } catch (error) {
        if (error instanceof SearchQueryError) {
          res.status(400).json({ error: error.message, parameter: 'q', requestId: req.nexus?.requestId });
          return;
        }
        next(error);
      }
    }),
  );
  return router;
}
