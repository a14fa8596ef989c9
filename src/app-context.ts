import type { Sequelize } from 'sequelize';
import type { AppConfig } from './config/config.js';
import type { DatabaseSsl } from './db/database-tls.js';
import { createReportReads, type ReplicaSettings, type ReportReads } from './db/read-replica.js';
import { createMailDispatch, type MailDispatch } from './notifications/mail-dispatch.js';
import type { FormDefaultSettings } from './panel/form-defaults.js';
import { appLinks, type AppLinks } from './shared/app-links.js';
import { NumberPatterns } from './tables/record-numbers.js';

/**
 * What one running app is made of beyond its code: its database connection and the settings its
 * requests and jobs work by. Made once at start (server.ts; test/support/test-app.ts the same
 * way) and handed to the panel, the routes and the mail dispatch, so that nothing reads a module
 * global set at start, and two apps in one process each keep their own.
 */
export interface AppContext {
  /** The runtime login's connection: what the app's requests read and write through. */
  readonly db: Sequelize;
  /** Where the audit log's list and export and the dashboard's tiles read: a replica when one is set and close enough, else `db`. */
  readonly reports: ReportReads;
  /** Absolute addresses of the app's pages (APP_URL), for mail and the printed traveler. */
  readonly links: AppLinks;
  /** Sends the outbox's mail after commit; started by whoever serves (server.ts), stopped with it. */
  readonly mail: MailDispatch;
  /** WORK_ORDER_NUMBER_PATTERN and TRAVELER_NUMBER_PATTERN, parsed. */
  readonly numbers: NumberPatterns;
  /** What create forms start with (WORK_ORDER_LEAD_DAYS). */
  readonly forms: FormDefaultSettings;
}

/** The settings the context is made from. */
export type AppContextConfig = Pick<
  AppConfig,
  | 'APP_URL'
  | 'HOST'
  | 'PORT'
  | 'SMTP_URL'
  | 'MAIL_FROM'
  | 'MAIL_SWEEP_SECONDS'
  | 'WORK_ORDER_NUMBER_PATTERN'
  | 'TRAVELER_NUMBER_PATTERN'
  | 'WORK_ORDER_LEAD_DAYS'
>;

export interface AppConnection {
  /** The runtime login's pool. */
  db: Sequelize;
  /** The same login's URL and TLS, for the connection the mail dispatch listens on. */
  url: string;
  ssl?: DatabaseSsl;
  /** A streaming replica for report reads (DATABASE_REPLICA_URL), with how far behind it may be. */
  replica?: ReplicaSettings;
}

/** Where people open NEXUS: APP_URL, or the address it listens at. */
function baseUrlOf(config: Pick<AppConfig, 'APP_URL' | 'HOST' | 'PORT'>): string {
  return config.APP_URL ?? `http://${config.HOST === '0.0.0.0' ? 'localhost' : config.HOST}:${config.PORT}`;
}

/** `onError` hears what the background mail dispatch could not do, with what failed in words. */
export function createAppContext(
  config: AppContextConfig,
  connection: AppConnection,
  onError: (error: unknown, what: string) => void = () => undefined,
): AppContext {
  const links = appLinks(baseUrlOf(config));
  return Object.freeze({
    db: connection.db,
    reports: createReportReads(connection.db, connection.replica),
    links,
    mail: createMailDispatch({
      db: connection.db,
      listen: { url: connection.url, ssl: connection.ssl },
      mail: { smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, links },
      sweepMs: config.MAIL_SWEEP_SECONDS * 1000,
      onError,
    }),
    numbers: new NumberPatterns({ work_orders: config.WORK_ORDER_NUMBER_PATTERN, travelers: config.TRAVELER_NUMBER_PATTERN }),
    forms: Object.freeze({ workOrderLeadDays: config.WORK_ORDER_LEAD_DAYS }),
  });
}
