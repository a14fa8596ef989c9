import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { systemActor } from '../src/audit/actor.js';
import { inTransaction } from '../src/db/unit-of-work.js';
import { User } from '../src/models/index.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * No single administrator can give someone privileged rights or sign in someone else's name
 * (21 CFR 11.300, 11.10(g)); and a signature cannot be guessed. Over HTTP, as the roles do it,
 * asserting what did not happen.
 */

let t: TestApp;
let secondAdmin: { id: number; username: string };
const one = async <T>(sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows[0] as T;

async function signIn(username: string, password = TEST_PASSWORD): Promise<TestAgent> {
  const agent = supertest.agent(t.app);
  const res = await agent.post('/admin/login').type('form').send({ email: username, password });
  expect(res.status).toBe(302);
  return agent;
}

/**
 * A draft revision with a one-step routing, and the engineer's Release of it: held for a second
 * person's signature (approval-policy.ts revision.release), a request to sign.
 */
async function askRelease(engineer: TestAgent, tag: string) {
  const customer = await one<{ id: number }>(`INSERT INTO customers (code, name) VALUES ($1, 'Four Eyes Co') RETURNING id`, [tag]);
  const part = await one<{ id: number }>(`INSERT INTO parts (part_number, description, customer_id) VALUES ($1, 'Four eyes part', $2) RETURNING id`, [
    `P-${tag}`,
    customer.id,
  ]);
  const center = await one<{ id: number }>(`INSERT INTO work_centers (code, name) VALUES ($1, 'Saw') RETURNING id`, [`W-${tag}`]);
  const revision = await one<{ id: number; version: number }>(`INSERT INTO revisions (part_id, revision_code) VALUES ($1, 'A') RETURNING id, version`, [
    part.id,
  ]);
  await t.db.query(`INSERT INTO process_steps (revision_id, step_number, work_center_id, operation) VALUES ($1, 10, $2, 'Saw')`, [revision.id, center.id]);
  const asked = await engineer
    .post(`/admin/api/resources/revisions/records/${revision.id}/release`)
    .send({ effective_date: '2031-02-03', version: String(revision.version) });
  expect(asked.status).toBe(200);
  expect(asked.body.approvalId).toEqual(expect.any(Number));
  return asked;
}

beforeAll(async () => {
  t = await createTestApp();
  // A second administrator, made by the system (as the demo data has one).
  await inTransaction(t.db.sequelize, systemActor('test:setup'), async (options) => {
    const user = await User.create(
      { username: 'second.admin', email: 'second.admin@test.example', full_name: 'Second Admin', role: 'admin', password: TEST_PASSWORD } as never,
      options,
    );
    secondAdmin = { id: user.id, username: user.username };
  });
});
afterAll(async () => {
  await t.close();
});

describe('granting a privileged role', () => {
  it.each(['admin', 'approver', 'quality'] as const)(
    'creating a user with the %s role makes a viewer, and asks another administrator for the role',
    async (role) => {
      const admin = await t.signIn('admin');
      const username = `new.${role}`;
      const res = await admin
        .post('/admin/api/resources/users/actions/new')
        .field('username', username)
        .field('full_name', `New ${role}`)
        .field('email', `${username}@test.example`)
        .field('role', role)
        .field('password', 'a-long-enough-secret-42');
      expect(res.status).toBe(202);
      expect(res.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/approval/) });
      const user = await one<{ id: number; role: string; must_change_password: boolean }>(
        'SELECT id, role, must_change_password FROM users WHERE username = $1',
        [username],
      );
      expect(user).toMatchObject({ role: 'viewer', must_change_password: true });
      const request = await one<{ id: number; status: string; rule: string; changes: unknown }>(
        `SELECT id, status, rule, changes FROM approvals WHERE target_table = 'users' AND target_id = $1`,
        [user.id],
      );
      expect(request).toMatchObject({ status: 'pending', rule: 'user.role', changes: { role: { old: 'viewer', new: role } } });

      // The administrator who asked cannot grant it; another one can.
      const own = await admin.post(`/admin/api/resources/approvals/records/${request.id}/approve`).field('password', TEST_PASSWORD);
      expect(own.status).toBe(403);
      expect(await one('SELECT role FROM users WHERE id = $1', [user.id])).toEqual({ role: 'viewer' });
      const second = await signIn(secondAdmin.username);
      const granted = await second.post(`/admin/api/resources/approvals/records/${request.id}/approve`).field('password', TEST_PASSWORD);
      expect(granted.status).toBe(200);
      expect(await one('SELECT role FROM users WHERE id = $1', [user.id])).toEqual({ role });
    },
  );

  it('changing a role by edit is a request too, and the role stays until it is approved', async () => {
    const admin = await t.signIn('admin');
    const operator = await one<{ id: number; version: number }>('SELECT id, version FROM users WHERE id = $1', [t.users.operator.id]);
    const res = await admin.post(`/admin/api/resources/users/records/${operator.id}/edit`).field('version', String(operator.version)).field('role', 'admin');
    expect(res.status).toBe(202);
    expect(await one('SELECT role FROM users WHERE id = $1', [operator.id])).toEqual({ role: 'operator' });
  });
});

describe('a password set by someone else', () => {
  it('works once: its holder must choose their own, was told, and signs nothing until then', async () => {
    const approver = await one<{ id: number; version: number }>('SELECT id, version FROM users WHERE id = $1', [t.users.approver.id]);
    const mailsBefore = await one<{ n: number }>('SELECT count(*)::int AS n FROM mail_outbox WHERE recipient_id = $1', [approver.id]);
    const admin = await t.signIn('admin');
    const set = await admin
      .post(`/admin/api/resources/users/records/${approver.id}/edit`)
      .field('version', String(approver.version))
      .field('password', 'set-by-the-admin-123');
    expect(set.status).toBe(200);
    expect(await one('SELECT must_change_password FROM users WHERE id = $1', [approver.id])).toEqual({ must_change_password: true });
    const told = await one<{ n: number }>('SELECT count(*)::int AS n FROM mail_outbox WHERE recipient_id = $1', [approver.id]);
    expect(told.n).toBe(mailsBefore.n + 1);

    // The administrator signs in as the approver with it: everything but the password page is closed.
    const asApprover = await signIn(t.users.approver.username, 'set-by-the-admin-123');
    const page = await asApprover.get('/admin/resources/approvals');
    expect(page.status).toBe(302);
    expect(page.headers.location).toBe('/admin/change-password');
    const api = await asApprover.get('/admin/api/resources/approvals/actions/list');
    expect(api.status).toBe(403);
    expect(api.body.error).toMatch(/choose your own/);

    // Nor can a request be signed in the approver's name with that password.
    const engineer = await t.signIn('engineer');
    const asked = await askRelease(engineer, 'FE1');
    expect(asked.body.notice).toMatchObject({ type: 'info', message: expect.stringMatching(/Submitted for approval/) });
    const approvalId = Number(asked.body.approvalId);
    const signed = await asApprover.post(`/admin/api/resources/approvals/records/${approvalId}/approve`).field('password', 'set-by-the-admin-123');
    expect(signed.status).toBe(403);
    expect(await one('SELECT status FROM approvals WHERE id = $1', [approvalId])).toEqual({ status: 'pending' });

    // The holder chooses their own; then signing works again.
    const refused = await asApprover.post('/admin/change-password').type('form').send({ current: 'set-by-the-admin-123', password: 'short', repeat: 'short' });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/at least 12 characters/);
    const chosen = await asApprover
      .post('/admin/change-password')
      .type('form')
      .send({ current: 'set-by-the-admin-123', password: 'the-approvers-own-9876', repeat: 'the-approvers-own-9876' });
    expect(chosen.status).toBe(302);
    expect(await one('SELECT must_change_password FROM users WHERE id = $1', [approver.id])).toEqual({ must_change_password: false });
    const approved = await asApprover.post(`/admin/api/resources/approvals/records/${approvalId}/approve`).field('password', 'the-approvers-own-9876');
    expect(approved.status).toBe(200);
    expect(await one('SELECT status FROM approvals WHERE id = $1', [approvalId])).toEqual({ status: 'approved' });
    // Put back for the rest of the file.
    await t.db.query(`UPDATE users SET password_hash = (SELECT password_hash FROM users WHERE id = $2) WHERE id = $1`, [approver.id, t.users.quality.id]);
  });
});

describe('electronic signatures are throttled like sign-in', () => {
  it('after the limit of wrong passwords the account is locked (even the right one is refused), recorded, and administrators are told', async () => {
    const engineer = await t.signIn('engineer');
    const asked = await askRelease(engineer, 'FE2');
    const approvalId = Number(asked.body.approvalId);
    const quality = await t.signIn('quality');
    const adminMails = async () =>
      (
        await one<{ n: number }>(
          `SELECT count(*)::int AS n FROM mail_outbox m JOIN users u ON u.id = m.recipient_id WHERE u.role = 'admin' AND m.subject LIKE '%locked after wrong signature%'`,
        )
      ).n;
    const mailsBefore = await adminMails();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 5; attempt += 1) {
      statuses.push((await quality.post(`/admin/api/resources/approvals/records/${approvalId}/approve`).field('password', `wrong-guess-${attempt}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const right = await quality.post(`/admin/api/resources/approvals/records/${approvalId}/approve`).field('password', TEST_PASSWORD);
    expect(right.status).toBe(429);
    expect(right.body.notice.message).toMatch(/Too many failed passwords/);
    expect(await one('SELECT status FROM approvals WHERE id = $1', [approvalId])).toEqual({ status: 'pending' });
    const admins = await one<{ n: number }>(`SELECT count(*)::int AS n FROM users WHERE role = 'admin' AND active`);
    expect(admins.n).toBeGreaterThanOrEqual(2);
    expect(await adminMails()).toBe(mailsBefore + admins.n);
    const events = await t.db.query<{ action: string }>(
      `SELECT action FROM audit_logs WHERE action IN ('signature_failed', 'login_locked') AND (actor_id = $1 OR details->>'subject' = $2) ORDER BY id`,
      [t.users.quality.id, t.users.quality.username],
    );
    expect(events.rows.map((r) => r.action)).toEqual([
      'signature_failed',
      'signature_failed',
      'signature_failed',
      'signature_failed',
      'signature_failed',
      'login_locked',
    ]);
    // Signing in is refused too while the lock lasts.
    const again = await supertest(t.app).post('/admin/login').type('form').send({ email: t.users.quality.username, password: TEST_PASSWORD });
    expect(again.status).toBe(429);
  });
});
