import type AdminJS from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Model, ModelStatic } from 'sequelize';
import { RESOURCE_RULES, type ResourceId, type SessionUser } from '../../auth/access-rules.js';
import { HistoryFilterError, parseHistoryFilter } from '../../audit/audit-history.filter.js';
import { historyPayload } from '../../resources/history.action.js';
import { recordAccessDenied } from '../../panel/access-denied.js';
import { asyncRoute } from '../async-route.js';
import type { AppContext } from '../../app-context.js';

export const HISTORY_API_PATH = '/api/history/:resourceId/:recordId';

/**
 * GET /admin/api/history/:resource/:id?field=&user=&from=&to=&limit= — the History page's data,
 * narrowed by field, user and span of days (parseHistoryFilter; a filter it cannot apply is
 * answered 400 with the reason), with the same access rule as
 * the record (whoever may read it may read its history). The History action would answer the
 * same, but AdminJS first loads the record and every record it references for it: most of the
 * time the page waited for. A record that is gone still has its history here.
 */
export function historyRoutes(ctx: AppContext, admin: AdminJS, logger: Logger): express.Router {
  const router = express.Router();
  router.get(
    HISTORY_API_PATH,
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const resourceId = String(req.params.resourceId);
        const recordId = String(req.params.recordId);
        if (!(resourceId in RESOURCE_RULES) || resourceId === 'audit_logs' || !/^\d{1,18}$/.test(recordId)) {
          res.status(404).json({ error: `No history for ${resourceId} record ${recordId.slice(0, 30)}.` });
          return;
        }
        const user = res.locals.currentAdmin as SessionUser | undefined;
        if (!RESOURCE_RULES[resourceId as ResourceId].read(user)) {
          await recordAccessDenied(ctx.db, req, res, logger, 'history');
          res.status(403).json({ error: 'Your role does not allow reading this record.' });
          return;
        }
        const model = (admin.findResource(resourceId) as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
        res.json(await historyPayload(ctx.db, admin, model, recordId, user, parseHistoryFilter(req.query as Record<string, unknown>)));
      } catch (error) {
        if (error instanceof HistoryFilterError) {
          res.status(400).json({ error: error.message });
          return;
        }
        next(error);
      }
    }),
  );
  return router;
}
