import connectPgSimple from 'connect-pg-simple';
import session from 'express-session';
import type pg from 'pg';
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
export const SESSION_TABLE = 'sessions';

/**
 * Sessions live in PostgreSQL (the table comes from a migration: the runtime role has no DDL),
 * so they survive restarts and are shared by every app instance. Rolling cookies make the
 * lifetime an idle timeout.
 */
export function sessionMiddleware(pool: pg.Pool, settings: SessionSettings) {
  const PgStore = connectPgSimple(session);
  const store = new PgStore({ pool, tableName: SESSION_TABLE, createTableIfMissing: false, pruneSessionInterval: 15 * 60 });
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
