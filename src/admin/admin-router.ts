import AdminJS, { Router as AdminRouter, type CurrentAdmin } from 'adminjs';
import { buildAssets, convertToExpressRoute, OldBodyParserUsedError } from '@adminjs/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import formidable from 'express-formidable';
import { actorFor, loadSessionUser } from '../auth/auth.service.js';
import { loginRoutes } from '../auth/login.routes.js';
import { travelerPrintRoutes } from '../travelers/traveler-print.routes.js';
import { AUDIT_EXPORT_PATH, auditExportRoutes } from './audit-export.routes.js';
import { bindActor } from './request-actor.js';

export interface AdminRouterOptions {
  absoluteSessionHours: number;
}

type AdminRoute = (typeof AdminRouter.routes)[number];

/** Calls a program (or a download link) makes: answered 401, not redirected to the sign-in page. */
function isApiPath(req: Request): boolean {
  return req.path.startsWith('/api/') || req.path === AUDIT_EXPORT_PATH;
}

/**
 * AdminJS answers a refused action with HTTP 200 and an error notice. For a caller outside the
 * panel that reads as success, so refusals get their real status: 403 forbidden, 404 missing.
 */
function statusOf(result: unknown): number {
  const baseError = (result as { record?: { baseError?: { type?: string } } } | null)?.record?.baseError;
  if (baseError?.type === 'ForbiddenError') return 403;
  if (baseError?.type === 'NotFoundError') return 404;
  // Our own record actions (approve, reject) report a refusal with its HTTP status.
  const refusal = (result as { refusal?: { status?: number } } | null)?.refusal;
  if (refusal?.status && refusal.status >= 400 && refusal.status < 500) return refusal.status;
  return 200;
}

/** Signed-in users only; the user is re-read from the database on every request. */
function requireSignedIn(admin: AdminJS, options: AdminRouterOptions) {
  return async (req: Request, res: Response, next: NextFunction) => {
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
      bindActor(currentAdmin, actorFor(user, req.nexus));
      res.locals.currentAdmin = currentAdmin;
      next();
    } catch (error) {
      next(error);
    }
  };
}

function routeHandler(admin: AdminJS, route: AdminRoute) {
  return async (req: Request, res: Response, next: NextFunction) => {
    try {
      const controller = new route.Controller({ admin }, res.locals.currentAdmin as CurrentAdmin);
      const withFields = req as unknown as { fields?: Record<string, unknown>; files?: Record<string, unknown> };
      const payload = { ...(withFields.fields ?? {}), ...(withFields.files ?? {}) };
      const action = route.action as keyof typeof controller;
      const handler = controller[action] as unknown as (request: unknown, response: Response) => Promise<unknown>;
      const result = await handler.call(controller, { ...req, params: req.params, query: req.query, payload, method: req.method.toLowerCase() }, res);
      if (route.contentType) res.set({ 'Content-Type': route.contentType });
      if (result) res.status(statusOf(result)).send(result);
    } catch (error) {
      next(error);
    }
  };
}

/**
 * The panel's router: our sign-in, AdminJS's static assets, then every AdminJS route behind
 * the session check. Built from @adminjs/express's pieces instead of its
 * buildAuthenticatedRouter, whose login handling we cannot make safe (see login.routes.ts).
 */
export function adminRouter(admin: AdminJS, options: AdminRouterOptions): express.Router {
  const router = express.Router();
  router.use((req, _res, next) => next((req as unknown as { _body?: boolean })._body ? new OldBodyParserUsedError() : undefined));
  router.use(loginRoutes(admin));
  buildAssets({ admin, assets: AdminRouter.assets, routes: AdminRouter.routes, router });
  router.use(requireSignedIn(admin, options));
  router.use(auditExportRoutes());
  router.use(travelerPrintRoutes());
  router.use(formidable());
  for (const route of AdminRouter.routes) {
    if (route.action === 'bundleComponents') continue; // served by buildAssets, before sign-in
    const path = convertToExpressRoute(route.path);
    if (route.method === 'GET') router.get(path, routeHandler(admin, route));
    if (route.method === 'POST') router.post(path, routeHandler(admin, route));
  }
  return router;
}
