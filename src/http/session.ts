import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SessionUser } from '../auth/access-rules.js';

declare module 'express-session' {
  interface SessionData {
    userId: number;
    /** Set at login; the absolute lifetime is counted from here, whatever the activity. */
    loginAt: number;
  }
}

export interface SessionSettings {
  secret: string;
  secure: boolean;
  idleTimeoutMinutes: number;
}

export const SESSION_COOKIE = 'nexus.sid';

/**
 * A rolling session is "touched" (its expiry pushed back) on every request: one UPDATE per page
 * view and API call. Once a minute per session is enough to keep an idle timeout of minutes; the
 * idle timeout is then exact to within this interval.
 */
export const TOUCH_INTERVAL_MS = 60_000;

function throttleTouch(store: session.Store, intervalMs: number): void {
  const touch = store.touch?.bind(store);
  if (!touch) return;
  const lastTouched = new Map<string, number>();
  store.touch = (sid: string, sess: session.SessionData, callback?: () => void) => {
    const now = Date.now();
    if (now - (lastTouched.get(sid) ?? 0) < intervalMs) {
      callback?.();
      return;
    }
    // Bounded: forget the oldest entries rather than grow with every session ever seen.
    if (lastTouched.size > 50_000) lastTouched.clear();
    lastTouched.set(sid, now);
    touch(sid, sess, callback);
  };
}
export const SESSION_TABLE = 'sessions';

/**
 * Sessions live in PostgreSQL (the table comes from a migration: the runtime role has no DDL),
 * so they survive restarts and are shared by every app instance. Rolling cookies make the
 * lifetime an idle timeout.
 */
export function sessionMiddleware(pool: pg.Pool, settings: SessionSettings, logger: Pick<Logger, 'warn'>) {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({
    pool,
    tableName: SESSION_TABLE,
    createTableIfMissing: false,
    pruneSessionInterval: 15 * 60,
    // Into the app's log, not the console; a prune that meets the pool being closed at shutdown has nothing left to do.
    errorLog: (message: string, error: unknown) => {
      if (!pool.ending) logger.warn({ err: error }, `sessions: ${message.replace(/:\s*$/, '')}`);
    },
  });
  throttleTouch(store, TOUCH_INTERVAL_MS);
  return session({
    store,
    name: SESSION_COOKIE,
    secret: settings.secret,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      // Secure whenever the request came over TLS (through a trusted proxy: X-Forwarded-Proto).
      secure: settings.secure ? true : 'auto',
      maxAge: settings.idleTimeoutMinutes * 60_000,
    },
  });
}

export type { SessionUser };
