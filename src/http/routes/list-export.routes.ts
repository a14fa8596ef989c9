import type AdminJS from 'adminjs';
import type { BaseResource, CurrentAdmin } from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { RESOURCE_RULES, type ResourceId, type SessionUser } from '../../auth/access-rules.js';
import { exportList } from '../../exports/list-export.service.js';
import { recordAccessDenied } from '../../panel/access-denied.js';
import { AUDIT_EXPORT_PATH, responseSink } from './audit-export.routes.js';
import { listOrder, listWhere } from '../../panel/nexus-resource.adapter.js';
import { LIST_EXPORT_PATH, exportColumnsOf, listSelection, modelOf } from '../../panel/list-export.js';
import { listQueryGuard } from '../../panel/list-query-guard.js';
import { describerFor } from '../../panel/record-describer.js';
import { actorOf } from '../../panel/panel-request-state.js';
import { asyncRoute } from '../async-route.js';
import { markWritten } from '../own-writes.js';
import type { AppContext } from '../../app-context.js';

/**
 * GET /admin/exports/lists/<resource>.csv?filters.status=on_hold — the list with the person's
 * filters, search and sort as a CSV download, for whoever may read the list. The audit log has
 * its own export (its rows are described differently), at AUDIT_EXPORT_PATH.
 */
export function listExportRoutes(ctx: AppContext, admin: AdminJS, logger: Logger): express.Router {
  const router = express.Router();
  router.get(
    LIST_EXPORT_PATH,
    listQueryGuard(admin),
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      const resourceId = String(req.params.resourceId);
      let resource: BaseResource;
      try {
        if (!Object.hasOwn(RESOURCE_RULES, resourceId)) throw new Error('unknown');
        resource = admin.findResource(resourceId);
      } catch {
        res.status(404).json({ error: `There is no list "${resourceId.slice(0, 60)}" to export.` });
        return;
      }
      if (resourceId === 'audit_logs') {
        res.status(404).json({ error: `The audit log is exported from its own list: ${admin.options.rootPath}${AUDIT_EXPORT_PATH}` });
        return;
      }
      const currentAdmin = res.locals.currentAdmin as CurrentAdmin | undefined;
      if (!RESOURCE_RULES[resourceId as ResourceId].read(currentAdmin as unknown as SessionUser | undefined)) {
        await recordAccessDenied(ctx.db, req, res, logger, `${resourceId} list export`);
        res.status(403).json({ error: 'Your role does not allow reading this list.' });
        return;
      }
      const actor = actorOf({ currentAdmin });
      const model = modelOf(resource);
      if (!actor || !model) {
        res.status(401).json({ error: 'Not signed in (or the session has ended): sign in again.' });
        return;
      }
      try {
        const { filter, sort, filters } = listSelection(resource, req.query as Record<string, unknown>);
        const spec = {
          model,
          list: resourceId,
          where: listWhere(model, filter),
          order: listOrder(model, sort),
          columns: exportColumnsOf(resource, describerFor(admin)),
          filters,
        };
        await exportList(ctx.db, actor, spec, responseSink(res, resourceId.replace(/_/g, '-')));
        // The export recorded itself: the person's next report read must show that row too.
        markWritten(res);
        res.end();
      } catch (error) {
        // Once the first line is out, the status cannot change: cut the download short instead,
        // so that a truncated file is never mistaken for a complete one.
        if (res.headersSent) res.destroy();
        else next(error);
      }
    }),
  );
  return router;
}
