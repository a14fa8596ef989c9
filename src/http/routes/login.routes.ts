import type AdminJS from 'adminjs';
import express, { type Request, type Response, type NextFunction } from 'express';
import type { AppContext } from '../../app-context.js';
import { changePasswordPage, signOutPage } from '../../auth/account-pages.js';
import { authenticate, changeOwnPassword, loadSessionUser, recordFailedLogin, recordLogin, recordLogout } from '../../auth/auth.service.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  checkLoginThrottle,
  clearAccountFailures,
  lockMessage,
  loginAttempt,
  recordLoginFailure,
  type LoginLock,
  type LoginThrottleSettings,
} from '../../auth/login-throttle.service.js';
import { landingPage, type SessionUser } from '../../auth/access-rules.js';
import { asyncRoute } from '../async-route.js';

function loginPage(admin: AdminJS, errorMessage: string | null) {
  return admin.renderLogin({ action: admin.options.loginPath, errorMessage });
}

/** A locked name or address: 429 with Retry-After, the same page and words whoever asks. */
async function refuseLocked(admin: AdminJS, res: Response, lock: LoginLock) {
  res.set('Retry-After', String(lock.retryAfterSeconds));
  res.status(429).send(await loginPage(admin, lockMessage(lock)));
}

/**
 * Sign-in and sign-out for the panel. Replaces @adminjs/express's handlers, which keep the
 * pre-login session id (session fixation) and throttle in memory per process. Throttling is
 * kept in PostgreSQL (login-throttle.service.ts), so it holds across app instances.
 */
export function loginRoutes(ctx: AppContext, admin: AdminJS, throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE): express.Router {
  const router = express.Router();
  const rootPath = admin.options.rootPath;
  const landingOf = (user: SessionUser) => {
    const page = landingPage(user);
    return page ? `${rootPath}/pages/${page}` : rootPath;
  };

  router.get(
    '/login',
    asyncRoute(async (_req, res) => {
      res.send(await loginPage(admin, null));
    }),
  );

  router.post(
    '/login',
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const fields = req.payload;
        const sequelize = ctx.db;
        const attempt = loginAttempt(fields.email, req.nexus);
        // A locked name or address is refused before any password is checked.
        const locked = await checkLoginThrottle(sequelize, attempt);
        if (locked) return refuseLocked(admin, res, locked);
        const result = await authenticate(fields.email, fields.password);
        if (!result.ok) {
          await recordFailedLogin(sequelize, fields.email, result, req.nexus);
          const lock = await recordLoginFailure(sequelize, attempt, throttle, result.userId);
          // The failure that reaches a limit is answered as a lock at once, so the person knows to wait.
          if (lock) return refuseLocked(admin, res, lock);
          res.status(401).send(await loginPage(admin, 'invalidCredentials'));
          return;
        }
        const { user } = result;
        await clearAccountFailures(sequelize, attempt);
        // A new id at sign-in: an id planted before sign-in never becomes an authenticated session.
        req.session.regenerate((regenerateError) => {
          if (regenerateError) return next(regenerateError);
          req.session.userId = user.id;
          req.session.loginAt = Date.now();
          req.session.save((saveError) => {
            if (saveError) return next(saveError);
            recordLogin(sequelize, user, req.nexus).then(() => res.redirect(302, landingOf(user)), next);
          });
        });
      } catch (error) {
        next(error);
      }
    }),
  );

  // Only a POST signs out: a link another site plants (or a prefetch) must not end a session.
  // The panel's "Log out" link lands here and asks once.
  router.get('/logout', (req: Request, res: Response) => {
    if (req.session.userId === undefined) return res.redirect(302, admin.options.loginPath);
    res.type('html').send(signOutPage(admin.options.logoutPath, rootPath));
  });
  router.post(
    '/logout',
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const user = await loadSessionUser(req.session.userId);
        if (user) await recordLogout(ctx.db, user, req.nexus);
      } catch (error) {
        return next(error);
      }
      req.session.destroy((error) => {
        if (error) return next(error);
        res.clearCookie('nexus.sid');
        res.redirect(302, admin.options.loginPath);
      });
    }),
  );
  return router;
}

export const CHANGE_PASSWORD_PATH = '/change-password';

/**
 * Choosing one's own password, behind the sign-in. A person whose password was set by someone
 * else is sent here, and only here, until they have chosen their own (admin-router.ts).
 */
export function changePasswordRoutes(ctx: AppContext, admin: AdminJS): express.Router {
  const router = express.Router();
  const action = `${admin.options.rootPath}${CHANGE_PASSWORD_PATH}`;
  const logoutPath = admin.options.logoutPath;
  router.get(CHANGE_PASSWORD_PATH, (_req: Request, res: Response) => {
    const user = res.locals.currentAdmin as { mustChangePassword?: boolean };
    res.type('html').send(changePasswordPage({ action, logoutPath, required: Boolean(user.mustChangePassword) }));
  });
  router.post(
    CHANGE_PASSWORD_PATH,
    asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
      try {
        const user = res.locals.currentAdmin as Parameters<typeof changeOwnPassword>[1];
        const refusal = await changeOwnPassword(
          ctx.db,
          user,
          { current: req.payload.current, password: req.payload.password, repeat: req.payload.repeat },
          req.nexus,
        );
        if (refusal) {
          res
            .status(400)
            .type('html')
            .send(changePasswordPage({ action, logoutPath, required: Boolean(user.mustChangePassword), error: refusal }));
          return;
        }
        res.redirect(302, admin.options.rootPath);
      } catch (error) {
        next(error);
      }
    }),
  );
  return router;
}
