import type AdminJS from 'adminjs';
import express, { type Request, type Response, type NextFunction } from 'express';
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

function signOutPage(logoutPath: string, rootPath: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign out · NEXUS</title></head>
<body style="font-family: Roboto, system-ui, sans-serif; background: #f6f7fb; color: #1c1c38; margin: 0">
<main style="max-width: 28rem; margin: 15vh auto; background: #fff; padding: 2rem; border-radius: 8px; box-shadow: 0 1px 4px rgba(0,0,0,.12)">
<h1 style="font-size: 1.4rem; margin-top: 0">Sign out of NEXUS?</h1>
<form method="post" action="${logoutPath}">
<button type="submit" autofocus style="font-size: 1rem; padding: .6rem 1.4rem; background: #3040d6; color: #fff; border: 0; border-radius: 4px; cursor: pointer">Sign out</button>
<a href="${rootPath}" style="margin-left: 1rem; color: #3040d6">Stay signed in</a>
</form>
</main>
</body>
</html>`;
}

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

  router.post('/login', async (req: Request, res: Response, next: NextFunction) => {
    try {
      const fields = req.payload;
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

  // Only a POST signs out: a link another site plants (or a prefetch) must not end a session.
  // The panel's "Log out" link lands here and asks once.
  router.get('/logout', (req: Request, res: Response) => {
    if (req.session.userId === undefined) return res.redirect(302, admin.options.loginPath);
    res.type('html').send(signOutPage(admin.options.logoutPath, rootPath));
  });
  router.post('/logout', async (req: Request, res: Response, next: NextFunction) => {
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
  });
  return router;
}
