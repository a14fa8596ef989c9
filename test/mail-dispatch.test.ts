import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createAppContext } from '../src/app-context.js';
import { systemActor } from '../src/audit/actor.js';
import { loadConfig } from '../src/config/config.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { queueMails } from '../src/notifications/mail-outbox.service.js';
import { waitFor } from './support/app-process.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { startSmtpSink, textOf, type SmtpSink } from './support/smtp-sink.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Mail leaves when the write that queued it commits: the outbox's trigger notifies, PostgreSQL
 * delivers the notification at commit, and the app's mail dispatch (listening on its own
 * connection) sends. No service calls anything after commit. The sweep is set far beyond these
 * tests' waits, so that what is sent here was sent because the outbox notified.
 */

const APP_URL = 'https://nexus.plant.example/floor';
let t: TestApp;
let smtp: SmtpSink;
let floor: Floor;

beforeAll(async () => {
  smtp = await startSmtpSink();
  t = await createTestApp({ env: { SMTP_URL: smtp.url, APP_URL, MAIL_SWEEP_SECONDS: '3600' } });
  floor = await buildFloor(t.db);
  await t.ctx.mail.start();
});

afterAll(async () => {
  await t.close();
  await smtp.close();
});

async function one<T>(sql: string, params: unknown[] = []): Promise<T | undefined> {
  return (await t.db.query(sql, params)).rows[0] as T | undefined;
}

/** The backend listening for new mail in the test database, other than `not`. */
async function listenerPid(not = 0): Promise<number | undefined> {
  const row = await one<{ pid: number }>(
    `SELECT pid FROM pg_stat_activity WHERE application_name = 'nexus-mail' AND datname = current_database() AND pid <> $1`,
    [not],
  );
  return row?.pid;
}

/** Polls the outbox until every row the condition names is sent (bounded: fails naming what it waited for). */
async function sent(what: string, where: string, params: unknown[]): Promise<number> {
  return waitFor(
    what,
    async () => {
      const row = (await one<{ total: number; unsent: number }>(
        `SELECT count(*)::int AS total, (count(*) FILTER (WHERE status <> 'sent'))::int AS unsent FROM mail_outbox WHERE ${where}`,
        params,
      ))!;
      return row.total > 0 && row.unsent === 0 ? row.total : undefined;
    },
    15_000,
  );
}

describe('mail after commit, without a call from the services', () => {
  it('a request committed by a write is mailed to its approvers through the notification, linked at the app’s address', async () => {
    const engineer = await t.signIn('engineer');
    const asked = await engineer.post(`/admin/api/resources/travelers/records/${floor.draft.id}/release`).field('reason', 'Material is in');
    const approvalId = asked.body.approvalId as number;
    expect(approvalId).toEqual(expect.any(Number));

    const count = await sent(`the mails of request #${approvalId}`, 'approval_id = $1', [approvalId]);
    const mails = smtp.received.map(textOf).filter((text) => text.includes(`Open request #${approvalId}: `));
    expect(mails).toHaveLength(count);
    for (const text of mails) {
      expect(text).toContain(`Open request #${approvalId}: https://nexus.plant.example/floor/admin/resources/approvals/records/${approvalId}/show\r\n`);
    }
    // Queued without an address: the link is the sending app's, added as it sends.
    const stored = await one<{ linked: number }>(`SELECT count(*)::int AS linked FROM mail_outbox WHERE approval_id = $1 AND body LIKE '%https://%'`, [
      approvalId,
    ]);
    expect(stored).toEqual({ linked: 0 });
  });

  it('a mail queued in a transaction that rolls back is never sent; the next committed one is', async () => {
    const approver = (await User.findOne({ where: { username: 'approver.user' } }))!;
    await expect(
      inTransaction(t.appSequelize, systemActor('test'), async ({ transaction }) => {
        await queueMails(transaction, [{ recipient: approver, subject: 'Rolled back: never sent', body: 'The decision failed.' }]);
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow(/decision failed/);
    await inTransaction(t.appSequelize, systemActor('test'), async ({ transaction }) => {
      await queueMails(transaction, [{ recipient: approver, subject: 'Committed after the rollback', body: 'This one went.' }]);
    });

    await sent('the committed mail', 'subject = $1', ['Committed after the rollback']);
    expect(smtp.received.filter((mail) => mail.data.includes('Subject: Committed after the rollback'))).toHaveLength(1);
    expect(smtp.received.filter((mail) => mail.data.includes('Rolled back'))).toEqual([]);
    expect(await one(`SELECT count(*)::int AS n FROM mail_outbox WHERE subject LIKE 'Rolled back%'`)).toEqual({ n: 0 });
  });
});

describe('the sweep', () => {
  it('sends mail whose notification nobody heard, and listens again after its connection was cut', async () => {
    // This test's own dispatch, sweeping every second; the file's stops so that it cannot send.
    await t.ctx.mail.stop();
    const config = loadConfig({ SMTP_URL: smtp.url, APP_URL, MAIL_SWEEP_SECONDS: '1' });
    const ctx = createAppContext(config, { db: t.appSequelize, url: t.runtimeUrl });
    await ctx.mail.start();
    try {
      const listener = await waitFor('the listening connection', () => listenerPid());
      await t.db.query('SELECT pg_terminate_backend($1)', [listener]);
      // As a CLI or a pooler that cannot LISTEN would leave it: nobody is listening now.
      await t.db.query(`INSERT INTO mail_outbox (to_address, subject, body) VALUES ('someone@test.example', 'Left while nobody listened', 'Body')`);

      await sent('the mail nobody heard of', 'subject = $1', ['Left while nobody listened']);
      const again = await waitFor('a new listening connection', () => listenerPid(listener));
      expect(again).toEqual(expect.any(Number));
    } finally {
      await ctx.mail.stop();
    }
  });
});
