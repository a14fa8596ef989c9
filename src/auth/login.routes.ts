import type AdminJS from 'adminjs';
import express, { type Request, type Response, type NextFunction } from 'express';
import formidable from 'express-formidable';
import { User } from '../models/index.js';
import { authenticate, loadSessionUser, recordFailedLogin, recordLogin, recordLogout } from './auth.service.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  checkLoginThrottle,
  clearAccountFailures,
  lockMessage,
  loginAttempt,
  recordLoginFailure,
  type LoginLock,
  type LoginThrottleSettings,
} from './login-throttle.service.js';

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
export function loginRoutes(admin: AdminJS, throttle: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE): express.Router {
  const router = express.Router();
  const rootPath = admin.options.rootPath;

  router.get('/login', async (_req, res) => {
    res.send(await loginPage(admin, null));
  });

  router.post('/login', formidable(), async (req: Request, res: Response, next: NextFunction) => {
    try {
      const fields = (req as unknown as { fields?: Record<string, unknown> }).fields ?? {};
      // Models are bound to the process's one database; the throttle shares it.
      const sequelize = User.sequelize!;
      const attempt = loginAttempt(fields.email, req.nexus);
      // A locked name or address is refused before any password is checked.
      const locked = await checkLoginThrottle(sequelize, attempt);
      if (locked) return refuseLocked(admin, res, locked);
      const result = await authenticate(fields.email, fields.password);
      if (!result.ok) {
        await recordFailedLogin(fields.email, result, req.nexus);
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
        req.session.save(async (saveError) => {
          if (saveError) return next(saveError);
          try {
            await recordLogin(user, req.nexus);
          } catch (error) {
            return next(error);
          }
          res.redirect(302, rootPath);
        });
      });
    } catch (error) {
      next(error);
    }
  });

  const logout = async (req: Request, res: Response, next: NextFunction) => {
    try {
      const user = await loadSessionUser(req.session.userId);
      if (user) await recordLogout(user, req.nexus);
    } catch (error) {
      return next(error);
    }
    req.session.destroy((error) => {
      if (error) return next(error);
      res.clearCookie('nexus.sid');
      res.redirect(302, admin.options.loginPath);
    });
  };
  router.get('/logout', logout);
  router.post('/logout', logout);
  return router;
}
