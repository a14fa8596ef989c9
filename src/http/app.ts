import { favicon } from '../panel/favicon.js';
import type AdminJS from 'adminjs';
import compression from 'compression';
import express, { type NextFunction, type Request, type Response } from 'express';
import type pg from 'pg';
import type { Logger } from 'pino';
import { ConnectionError } from 'sequelize';
import { adminRouter } from './admin-router.js';
import type { LoginThrottleSettings } from '../auth/login-throttle.service.js';
import { fontAssets } from './offline-fonts.js';
import { panelAssets } from './panel-assets.js';
import { panelPages } from './panel-pages.js';
import { securityHeaders } from './content-security.js';
import { crossSiteGuard } from './cross-site-guard.js';
import { requestContext } from './request-context.js';
import { requestGate } from './request-gate.js';
import { ownWritesMarker } from './own-writes.js';
import { SESSION_COOKIE, sessionMiddleware } from './session.js';
import type { AppContext } from '../app-context.js';

export interface AppOptions {
  /** The app's context, made once at start (app-context.ts). */
  ctx: AppContext;
  admin: AdminJS;
  sessionPool: pg.Pool;
  sessionSecret: string;
  secureCookies: boolean;
  trustProxy: boolean;
  /** The address people open NEXUS at; requests from it are same-site (besides the Host itself). */
  appUrl?: string;
  idleTimeoutMinutes: number;
  absoluteSessionHours: number;
  /** How long a request body may take to arrive in full (request-gate.ts's default otherwise). */
  bodyTimeoutMs?: number;
  /** Sign-in throttling (kept in the database, shared by instances); defaults: DEFAULT_LOGIN_THROTTLE. */
  loginThrottle?: LoginThrottleSettings;
  logger: Logger;
}

const DATABASE_UNAVAILABLE = 'The database is not reachable right now; nothing was saved. Try again in a moment.';
/** Seconds a client is asked to wait before trying again after a 503. */
const RETRY_AFTER_SECONDS = 5;
/** Socket errors of a connection that could not be made or was cut. */
const NETWORK_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The database could not be reached, or the connection was lost under the request: a pool that
 * gave up waiting (Sequelize's ConnectionAcquireTimeoutError is a ConnectionError), a refused or
 * cut connection, a server shutting down (57P01-57P03) or any SQLSTATE class 08. A transaction
 * whose connection is lost is rolled back by PostgreSQL, so such a request may be repeated.
 * Looks through Sequelize's wrapping (`parent`) and `cause` to the driver's error.
 */
function isDatabaseUnavailable(error: unknown): boolean {
  let current = error as { code?: unknown; message?: unknown; parent?: unknown; cause?: unknown } | undefined;
  for (let depth = 0; current && typeof current === 'object' && depth < 5; depth += 1) {
    if (current instanceof ConnectionError) return true;
    const code = typeof current.code === 'string' ? current.code : '';
    if (code.startsWith('08') || /^57P0[123]$/.test(code) || NETWORK_ERRORS.has(code)) return true;
    // node-postgres: a socket closed under a query, a broken client, a pool that gave up waiting.
    if (typeof current.message === 'string' && /^Connection terminated|is not queryable|timeout exceeded when trying to connect/.test(current.message))
      return true;
    current = (current.parent ?? current.cause) as typeof current;
  }
  return false;
}

/**
 * Responses compressed as they are sent (pages, API answers), unless already compressed (the
 * static assets, compressed once: static-assets.ts) or a CSV export: those stream a batch at a
 * time, waiting for the client to take each (responseSink), which a compressor in between would
 * hide.
 */
function compressible(req: Request, res: Response): boolean {
  if (res.locals.precompressed) return false;
  if (/^text\/csv\b/i.test(String(res.getHeader('Content-Type') ?? ''))) return false;
  return compression.filter(req, res);
}

export function createApp(options: AppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  if (options.trustProxy) app.set('trust proxy', 1);
  // Flat name=value parameters only; the gate refuses repeated and nested names with a reason.
  app.set('query parser', 'simple');
  app.use(securityHeaders());
  app.use(requestContext());
  app.use(crossSiteGuard({ appUrl: options.appUrl, logger: options.logger }));
  app.use(requestGate({ bodyTimeoutMs: options.bodyTimeoutMs }));
  app.use(compression({ filter: compressible }));
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  // Before the session: an asset needs none, and costs no session read.
  const assets = panelAssets(options.admin);
  app.use(assets.handler());
  app.use(fontAssets());
  // Where a browser looks for an icon on pages that link none (the printed traveler loads nothing).
  app.get('/favicon.ico', favicon);
  app.use(
    sessionMiddleware(
      options.sessionPool,
      { secret: options.sessionSecret, secure: options.secureCookies, idleTimeoutMinutes: options.idleTimeoutMinutes },
      options.logger,
    ),
  );
  // With a read replica: each person's latest write position, so that their report reads never miss it.
  if (options.ctx.reports.replicated) app.use(ownWritesMarker(options.ctx.reports, options.logger));
  app.use(
    options.admin.options.rootPath,
    panelPages(assets),
    adminRouter(options.admin, {
      ctx: options.ctx,
      absoluteSessionHours: options.absoluteSessionHours,
      loginThrottle: options.loginThrottle,
      logger: options.logger,
    }),
  );
  app.get('/', (_req, res) => res.redirect(302, options.admin.options.rootPath));

  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'Not found' });
  });
  app.use((error: Error & { statusCode?: number; status?: number }, req: Request, res: Response, _next: NextFunction) => {
    const unavailable = isDatabaseUnavailable(error);
    const status = unavailable ? 503 : (error.statusCode ?? error.status ?? 500);
    if (status >= 500)
      options.logger.error(
        { err: error, requestId: req.nexus?.requestId, path: req.path },
        unavailable ? 'request failed: database unavailable' : 'request failed',
      );
    const message = unavailable
      ? DATABASE_UNAVAILABLE
      : status >= 500
        ? `Something went wrong on the server (request ${req.nexus?.requestId ?? 'unknown'}).`
        : error.message;
    if (res.headersSent) return;
    if (unavailable) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(status).json({ error: message, requestId: req.nexus?.requestId });
  });
  return app;
}

export { SESSION_COOKIE };
