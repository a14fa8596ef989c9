import type AdminJS from 'adminjs';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type pg from 'pg';
import type { Logger } from 'pino';
import { adminRouter } from '../admin/admin-router.js';
import { fontAssets, localFontsInHtml } from '../admin/offline-fonts.js';
import { requestContext } from './request-context.js';
import { SESSION_COOKIE, sessionMiddleware } from './session.js';

export interface AppOptions {
  admin: AdminJS;
  sessionPool: pg.Pool;
  sessionSecret: string;
  secureCookies: boolean;
  trustProxy: boolean;
  idleTimeoutMinutes: number;
  absoluteSessionHours: number;
  logger: Logger;
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', 1);
  // The panel's own inline bootstrap script rules out a strict CSP until the hardening work.
  app.use(helmet({ contentSecurityPolicy: false }));
  app.use(requestContext());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/fonts/roboto', fontAssets());
  app.use(sessionMiddleware(options.sessionPool, { secret: options.sessionSecret, secure: options.secureCookies, idleTimeoutMinutes: options.idleTimeoutMinutes }));
  app.use(options.admin.options.rootPath, localFontsInHtml(), adminRouter(options.admin, { absoluteSessionHours: options.absoluteSessionHours }));
  app.get('/', (_req, res) => res.redirect(302, options.admin.options.rootPath));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use((error: Error & { statusCode?: number; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const status = error.statusCode ?? error.status ?? 500;
    if (status >= 500) options.logger.error({ err: error, requestId: req.nexus?.requestId, path: req.path }, 'request failed');
    const message = status >= 500 ? `Something went wrong on the server (request ${req.nexus?.requestId ?? 'unknown'}).` : error.message;
    if (res.headersSent) return;
    res.status(status).json({ error: message, requestId: req.nexus?.requestId });
  });
  return app;
}

export { SESSION_COOKIE };
