import nodemailer from 'nodemailer';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { startPeriodicJob } from '../audit/periodic-job.js';
import type { DatabaseSsl } from '../db/database-tls.js';
import { dispatchOutbox, type MailSettings } from './mail-outbox.service.js';

/** The channel the outbox's insert trigger notifies (migrations/20261206000600-mail-outbox-notify.up.sql). */
export const MAIL_CHANNEL = 'nexus_mail';

export interface MailDispatchOptions {
  /** The app's connection, which sends and marks the mails. */
  db: Sequelize;
  /** The same login's URL and TLS, for the one connection that listens. */
  listen: { url: string; ssl?: DatabaseSsl };
  mail: MailSettings;
  /** How often the outbox is read whatever was heard (and a lost listener opened again). */
  sweepMs: number;
  /** A failure, with what failed in words for the log; sending goes on at the next notification or sweep. */
  onError(error: unknown, what: string): void;
}

export interface MailDispatch {
  /** Listens, and sends what is already waiting; resolves once listening (or once that failed and was reported). */
  start(): Promise<void>;
  /** Stops listening and sweeping, and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Sends mail after the writes that queued it commit, with no call from the services: a row
 * inserted into mail_outbox notifies MAIL_CHANNEL, and PostgreSQL delivers the notification only
 * when the transaction commits (never for one rolled back), to every instance listening. Each
 * notification starts a run of dispatchOutbox; one arriving during a run queues one more run, not
 * one per notification. A periodic sweep sends what no notification announced: mail left by a
 * crash, by a CLI, or while the listener was down, or behind a pooler that cannot LISTEN
 * (PgBouncer in transaction mode); it also opens the listener again when it was lost.
 */
export function createMailDispatch(options: MailDispatchOptions): MailDispatch {
  const { db, listen, sweepMs, onError } = options;
  // One transport per app, made from its own settings, closed with the dispatch.
  const transport = options.mail.smtpUrl ? nodemailer.createTransport(options.mail.smtpUrl) : null;
  const mail = { ...options.mail, transport };
  let running: Promise<unknown> | null = null;
  let again = false;
  let stopped = false;
  let listener: pg.Client | null = null;
  let sweep: { stop(): Promise<void> } | null = null;

  function kick(): void {
    if (stopped) return;
    if (running) {
      again = true;
      return;
    }
    running = dispatchOutbox(db, mail)
      .catch((error: unknown) => onError(error, 'sending mail from the outbox failed'))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          kick();
        }
      });
  }

  async function idle(): Promise<void> {
    while (running) await running;
  }

  function drop(client: pg.Client): void {
    if (listener === client) listener = null;
    client.end().catch(() => undefined);
  }

  async function openListener(): Promise<void> {
    const client = new pg.Client({ connectionString: listen.url, application_name: 'nexus-mail', ...(listen.ssl !== undefined && { ssl: listen.ssl }) });
    client.on('notification', kick);
    // A lost connection: the sweep opens another one; until then the sweep alone sends.
    client.on('error', (error) => {
      if (listener === client) onError(error, 'the connection listening for new mail was lost');
      drop(client);
    });
    client.on('end', () => {
      if (listener === client) listener = null;
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${MAIL_CHANNEL}`);
    } catch (error) {
      drop(client);
      throw error;
    }
    if (stopped) return drop(client);
    listener = client;
  }

  /** Listening first: a mail committed in between is then either heard or found by the run that follows. */
  async function listenAndSend(): Promise<void> {
    if (!listener && !stopped) {
      await openListener().catch((error: unknown) => onError(error, 'listening for new mail failed: the outbox is read every sweep until a listener connects'));
    }
    kick();
  }

  return {
    async start() {
      if (sweep || stopped) return;
      sweep = startPeriodicJob(
        async () => {
          await listenAndSend();
          await idle();
        },
        sweepMs,
        (error) => onError(error, 'sweeping the mail outbox failed'),
      );
      await listenAndSend();
    },
    async stop() {
      stopped = true;
      again = false;
      await sweep?.stop();
      if (listener) {
        const client = listener;
        listener = null;
        await client.end().catch(() => undefined);
      }
      await idle();
      transport?.close();
    },
  };
}
