import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SMTPServer } from 'smtp-server';
import { systemActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { dispatchOutbox, queueMails } from '../src/notifications/mail-outbox.service.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { createRoleUsers } from './support/test-app.js';

/** A real SMTP server on loopback: what NEXUS sends is what a mail server receives. */
let db: TestDatabase;
let smtp: SMTPServer;
let port: number;
const received: Array<{ to: string[]; data: string }> = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await createRoleUsers(db);
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onData(stream, session, callback) {
      let data = '';
      stream.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
      stream.on('end', () => {
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), data });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
  port = (smtp.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => smtp.close(() => resolve()));
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

    const result = await dispatchOutbox(db.sequelize, { smtpUrl: `smtp://127.0.0.1:${port}`, from: 'NEXUS <nexus@test.example>' });
    expect(result).toEqual({ sent: 1, held: 0, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]!.to).toEqual([approver!.email]);
    expect(received[0]!.data).toContain('Subject: NEXUS: approval needed');
    expect(received[0]!.data).toContain('Please decide request #1.');
    const rows = (await db.query<{ subject: string; status: string; sent: boolean }>('SELECT subject, status, sent_at IS NOT NULL AS sent FROM mail_outbox'))
      .rows;
    expect(rows).toEqual([{ subject: 'NEXUS: approval needed for request 1', status: 'sent', sent: true }]);
  });

  it('keeps a mail pending with the error when the server refuses it, to try again later', async () => {
    const viewer = await User.findOne({ where: { role: 'viewer' } });
    await inTransaction(db.sequelize, systemActor('test'), async ({ transaction }) => {
      await queueMails(transaction, [{ recipient: viewer!, subject: 'Will fail', body: 'x' }]);
    });
    const result = await dispatchOutbox(db.sequelize, { smtpUrl: 'smtp://127.0.0.1:1', from: 'NEXUS <nexus@test.example>' });
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
