import AdminJS, { Router as AdminRouter, type CurrentAdmin } from 'adminjs';
import { convertToExpressRoute, OldBodyParserUsedError } from '@adminjs/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import { actorFor, loadSessionUser } from '../auth/auth.service.js';
import { CHANGE_PASSWORD_PATH, changePasswordRoutes, loginRoutes } from './routes/login.routes.js';
import { DEFAULT_LOGIN_THROTTLE, type LoginThrottleSettings } from '../auth/login-throttle.service.js';
import { travelerPrintRoutes } from './routes/traveler-print.routes.js';
import { AUDIT_EXPORT_PATH, auditExportRoutes } from './routes/audit-export.routes.js';
import { recordAccessDenied } from '../panel/access-denied.js';
import { adminRouteGuard } from './admin-route-guard.js';
import { FAVICON_PATH, favicon } from '../panel/favicon.js';
import { historyRoutes } from './routes/history.routes.js';
import { refusalRoutes } from './routes/refusal.routes.js';
import { globalSearchRoutes } from './routes/global-search.routes.js';
import { listExportRoutes } from './routes/list-export.routes.js';
import { routingRoutes } from './routes/routing.routes.js';
import { listQueryGuard } from '../panel/list-query-guard.js';
import { beginPanelRequest } from '../panel/panel-request-state.js';
import { asyncRoute } from './async-route.js';
import type { AppContext } from '../app-context.js';

export interface AdminRouterOptions {
  /** The app's context: its connection for the routes' reads and the audit rows of refusals. */
  ctx: AppContext;
  absoluteSessionHours: number;
  loginThrottle?: LoginThrottleSettings;
  /** Where refused calls are logged (one warn line each). */
  logger: Logger;
}

type AdminRoute = (typeof AdminRouter.routes)[number];

/** Calls a program (or a download link) makes: answered 401, not redirected to the sign-in page. */
function isApiPath(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path === AUDIT_EXPORT_PATH || req.path.startsWith('/exports/');
}

/**
 * AdminJS answers a refused action with HTTP 200 and an error notice. For a caller outside the
 * panel that reads as success, so refusals get their real status: 403 forbidden, 404 missing.
 */
function statusOf(result: unknown, req: Request): number {
  const record = (result as { record?: { baseError?: { type?: string } | null; errors?: Record<string, unknown> } } | null)?.record;
  const baseError = record?.baseError;
  if (baseError?.type === 'ForbiddenError') return 403;
  if (baseError?.type === 'NotFoundError') return 404;
  // Our own record actions (approve, reject, the workflow moves) report a refusal with its status.
  const refusal = (result as { refusal?: { status?: number } } | null)?.refusal;
  if (refusal?.status && refusal.status >= 400 && refusal.status < 500) return refusal.status;
  // A refused new/edit/delete: AdminJS's own page needs HTTP 200 to show the reasons on the form
  // (its client drops the body of an error status); any other caller gets the real status.
  if (!fromPanelPage(req)) {
    // Held back for approval: accepted, not done (the body says which request to follow).
    if (baseError?.type === 'ApprovalRequired') return 202;
    if (baseError?.type === 'StaleRecordError' || baseError?.type === 'RecordInUseError' || baseError?.type === 'WorkflowRefusedError') return 409;
    if (baseError?.type === 'RecordNotFoundError') return 404;
    if (record?.errors && Object.keys(record.errors).length > 0) return 400;
  }
  return 200;
}

/** The panel's own pages call the API from the browser, with fetch metadata saying so. */
function fromPanelPage(req: Request): boolean {
  return req.get('sec-fetch-site') === 'same-origin' && req.get('sec-fetch-mode') === 'cors';
}

/** Signed-in users only; the user is re-read from the database on every request. */
function requireSignedIn(admin: AdminJS, options: AdminRouterOptions) {
  return asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const expired = req.session.loginAt !== undefined && Date.now() - req.session.loginAt > options.absoluteSessionHours * 3_600_000;
      const user = expired ? null : await loadSessionUser(req.session.userId);
      if (!user) {
        if (req.session.userId !== undefined) await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
        if (isApiPath(req)) {
          res.status(401).json({ error: 'Not signed in (or the session has ended): sign in again.' });
        } else {
          res.redirect(302, admin.options.loginPath);
        }
        return;
      }
      // A fresh object per request: the actor bound to it cannot leak into another request.
      const currentAdmin = { ...user } as unknown as CurrentAdmin;
      beginPanelRequest(currentAdmin, {
        actor: actorFor(user, req.nexus),
        throttle: options.loginThrottle ?? DEFAULT_LOGIN_THROTTLE,
        ownWrites: req.session.ownWrites ?? null,
      });
      res.locals.currentAdmin = currentAdmin;
      // A password someone else set opens only the page that replaces it (and signing out).
      if (user.mustChangePassword && req.path !== CHANGE_PASSWORD_PATH) {
        if (isApiPath(req)) {
          res
            .status(403)
            .json({ error: `Your password was set by an administrator: choose your own first (${admin.options.rootPath}${CHANGE_PASSWORD_PATH}).` });
        } else {
          res.redirect(302, `${admin.options.rootPath}${CHANGE_PASSWORD_PATH}`);
        }
        return;
      }
      next();
    } catch (error) {
      next(error);
    }
  });
}

function routeHandler(admin: AdminJS, route: AdminRoute, { ctx, logger }: AdminRouterOptions) {
  return asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
    try {
      const controller = new route.Controller({ admin }, res.locals.currentAdmin as CurrentAdmin);
      const action = route.action as keyof typeof controller;
      const handler = controller[action] as unknown as (request: unknown, response: Response) => Promise<unknown>;
      // AdminJS's actions change data for any method but "get": HEAD (which Express routes to GET
      // handlers) must read as a GET, so that only a POST ever writes.
      const method = req.method === 'POST' ? 'post' : 'get';
      const result = await handler.call(controller, { ...req, params: req.params, query: req.query, payload: { ...req.payload }, method }, res);
      if (route.contentType) res.set({ 'Content-Type': route.contentType });
      if (!result) return;
      const status = statusOf(result, req);
      if (status === 403) await recordAccessDenied(ctx.db, req, res, logger, (result as { notice?: { message?: string } }).notice?.message);
      res.status(status).send(result);
    } catch (error) {
      next(error);
    }
  });
}

/**
 * The panel's router: our sign-in, then every AdminJS route behind the session check (its
 * static assets are served before the session, compressed and versioned: panel-assets.ts). Built from @adminjs/express's pieces instead of its
 * buildAuthenticatedRouter, whose login handling we cannot make safe (see login.routes.ts).
 */
export function adminRouter(admin: AdminJS, options: AdminRouterOptions): express.Router {
  const { ctx, logger } = options;
  const router = express.Router();
  router.use((req, _res, next) => next((req as unknown as { _body?: boolean })._body ? new OldBodyParserUsedError() : undefined));
  router.use(loginRoutes(ctx, admin, options.loginThrottle));
  router.get(FAVICON_PATH, favicon);
  router.use(requireSignedIn(admin, options));
  router.use(changePasswordRoutes(ctx, admin));
  router.use(adminRouteGuard(admin));
  router.use(refusalRoutes(ctx, admin, logger));
  router.use(auditExportRoutes(ctx, logger, admin));
  router.use(historyRoutes(ctx, admin, logger));
  router.use(globalSearchRoutes(admin));
  router.use(listExportRoutes(ctx, admin, logger));
  router.use(routingRoutes(ctx, logger));
  router.use(travelerPrintRoutes(ctx));
  router.get('/api/resources/:resourceId/actions/:action(list|export|exportCsv)', listQueryGuard(admin));
  router.get('/api/resources/:resourceId/actions/search/:query?', listQueryGuard(admin));
  for (const route of AdminRouter.routes) {
    if (route.action === 'bundleComponents') continue; // a static asset (panel-assets.ts), before sign-in
    const path = convertToExpressRoute(route.path);
    if (route.method === 'GET') router.get(path, routeHandler(admin, route, options));
    if (route.method === 'POST') router.post(path, routeHandler(admin, route, options));
  }
  return router;
}
