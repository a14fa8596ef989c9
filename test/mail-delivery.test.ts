import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { systemActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { dispatchOutbox, queueMails } from '../src/notifications/mail-outbox.service.js';
import { appLinks } from '../src/shared/app-links.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { createRoleUsers } from './support/test-app.js';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink.js';

let db: TestDatabase;
let smtp: SmtpSink;
const links = appLinks('https://nexus.test.example');

beforeAll(async () => {
  db = await createTestDatabase();
  await createRoleUsers(db);
  smtp = await startSmtpSink();
});

afterAll(async () => {
  await smtp.close();
  await db.drop();
});

describe('mail through SMTP', () => {
  it('delivers queued mail after commit and marks it sent; mail of a rolled-back transaction never exists', async () => {
    const approver = await User.findOne({ where: { role: 'approver' } });
    await expect(
      inTransaction(db.sequelize, systemActor('test'), async ({ transaction }) => {
        await queueMails(transaction, [{ recipient: approver!, subject: 'Never sent', body: 'rolled back' }]);
        throw new Error('the decision failed');
      }),
    ).rejects.toThrow(/decision failed/);
    await inTransaction(db.sequelize, systemActor('test'), async ({ transaction }) => {
      await queueMails(transaction, [{ recipient: approver!, subject: 'NEXUS: approval needed for request 1', body: 'Please decide request #1.' }]);
    });

    const result = await dispatchOutbox(db.sequelize, { smtpUrl: smtp.url, from: 'NEXUS <nexus@test.example>', links });
    expect(result).toEqual({ sent: 1, held: 0, failed: 0 });
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual([approver!.email]);
    expect(smtp.received[0]!.data).toContain('Subject: NEXUS: approval needed');
    expect(smtp.received[0]!.data).toContain('Please decide request #1.');
    const rows = (await db.query<{ subject: string; status: string; sent: boolean }>('SELECT subject, status, sent_at IS NOT NULL AS sent FROM mail_outbox'))
      .rows;
    expect(rows).toEqual([{ subject: 'NEXUS: approval needed for request 1', status: 'sent', sent: true }]);
  });

  it('keeps a mail pending with the error when the server refuses it, to try again later', async () => {
    const viewer = await User.findOne({ where: { role: 'viewer' } });
    await inTransaction(db.sequelize, systemActor('test'), async ({ transaction }) => {
      await queueMails(transaction, [{ recipient: viewer!, subject: 'Will fail', body: 'x' }]);
    });
    const result = await dispatchOutbox(db.sequelize, { smtpUrl: 'smtp://127.0.0.1:1', from: 'NEXUS <nexus@test.example>', links });
    expect(result).toEqual({ sent: 0, held: 0, failed: 1 });
    const row = (
      await db.query<{ status: string; attempts: number; last_error: string }>(
        `SELECT status, attempts, last_error FROM mail_outbox WHERE subject = 'Will fail'`,
      )
    ).rows[0]!;
    expect(row.status).toBe('pending');
    expect(row.attempts).toBe(1);
    expect(row.last_error).toMatch(/ECONNREFUSED|connect/i);
  });
});
