import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createAdmin } from '../src/admin/admin.js';
import { systemActor } from '../src/audit/actor.js';
import { User } from '../src/models/index.js';
import { createRecord } from '../src/records/record.service.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * Deactivate and Reactivate on a user's page (src/resources/user-activation.actions.ts): each
 * through the record service with the actor and the version, with a notice that names the person;
 * reactivating is a request a second administrator signs; nobody deactivates themselves; the form
 * no longer has a raw Active switch. A second administrator is made here to sign.
 */
let t: TestApp;
let admin: TestAgent;
let secondAdmin: TestAgent;
let secondAdminId: number;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

const auditRows = (table: string, recordId: number, field: string) =>
  one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = $1 AND record_id = $2 AND field_name = $3`, [
    table,
    String(recordId),
    field,
  ]).then((r) => r.n);
const deniedRows = () => one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`).then((r) => r.n);

async function signInAs(username: string, password = TEST_PASSWORD): Promise<TestAgent> {
  const agent = supertest.agent(t.app);
  const res = await agent.post('/admin/login').type('form').send({ email: username, password });
  expect(res.status).toBe(302);
  return agent;
}

async function versionOf(id: number): Promise<number> {
  return (await one<{ version: number }>('SELECT version FROM users WHERE id = $1', [id])).version;
}

async function makeUser(username: string, role: string): Promise<number> {
  const user = (await createRecord(
    User as never,
    { username, full_name: `Lee ${username}`, email: `${username}@test.example`, role, password: TEST_PASSWORD },
    systemActor('test:setup'),
  )) as unknown as { id: number };
  return user.id;
}

beforeAll(async () => {
  t = await createTestApp();
  secondAdminId = await makeUser('second.admin', 'admin');
  admin = await t.signIn('admin');
  secondAdmin = await signInAs('second.admin');
});

afterAll(async () => {
  await t.close();
});

describe('Deactivate', () => {
  it('is offered on an active account with a notice naming the person, ends their session, and is in the audit trail', async () => {
    const id = await makeUser('lee.chen', 'operator');
    const theirs = await signInAs('lee.chen');
    expect((await theirs.get('/admin/api/pages/myWork')).status).toBe(200);

    const shown = await admin.get(`/admin/api/resources/users/records/${id}/show`);
    const offered = shown.body.record.recordActions.map((a: { name: string }) => a.name);
    expect(offered).toContain('deactivate');
    expect(offered).not.toContain('reactivate');

    const auditBefore = await auditRows('users', id, 'active');
    const res = await admin.post(`/admin/api/resources/users/records/${id}/deactivate`).field('version', String(await versionOf(id)));
    expect(res.status).toBe(200);
    expect(res.body.notice).toEqual({ message: 'Lee lee.chen is deactivated: they can no longer sign in.', type: 'success' });
    expect(res.body.redirectUrl).toBe(`/admin/resources/users/records/${id}/show`);
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: false });
    const audit = await one<{ old_value: string; new_value: string; actor_id: number }>(
      `SELECT old_value, new_value, actor_id FROM audit_logs WHERE table_name = 'users' AND record_id = $1 AND field_name = 'active' ORDER BY id DESC LIMIT 1`,
      [String(id)],
    );
    expect(audit).toEqual({ old_value: 'true', new_value: 'false', actor_id: t.users.admin.id });
    expect(await auditRows('users', id, 'active')).toBe(auditBefore + 1);

    // Their open session ends at their next request; signing in is refused.
    expect((await theirs.get('/admin/api/pages/myWork')).status).toBe(401);
    const again = await supertest(t.app).post('/admin/login').type('form').send({ email: 'lee.chen', password: TEST_PASSWORD });
    expect(again.headers.location).not.toBe('/admin');

    // Now inactive: Reactivate is offered instead.
    const after = await admin.get(`/admin/api/resources/users/records/${id}/show`);
    expect(after.body.record.recordActions.map((a: { name: string }) => a.name)).toEqual(expect.arrayContaining(['reactivate']));
    expect(after.body.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('deactivate');
  });

  it('is refused on a version the page did not show (someone changed the account meanwhile)', async () => {
    const id = await makeUser('stale.one', 'viewer');
    const stale = (await versionOf(id)) - 1;
    const res = await admin.post(`/admin/api/resources/users/records/${id}/deactivate`).field('version', String(stale));
    expect(res.status).toBe(409);
    expect(res.body.notice.type).toBe('error');
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: true });
  });

  it('needs the version the page showed, and says when the account is already so', async () => {
    const id = await makeUser('no.version', 'viewer');
    const bare = await admin.post(`/admin/api/resources/users/records/${id}/deactivate`);
    expect(bare.status).toBe(400);
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: true });
    const already = await admin.post(`/admin/api/resources/users/records/${id}/reactivate`).field('version', String(await versionOf(id)));
    expect(already.status).toBe(409);
    expect(already.body.notice.message).toBe('Lee no.version is already active: nothing was changed.');
    expect(await one<{ n: number }>(`SELECT count(*)::int AS n FROM approvals WHERE target_table = 'users' AND target_id = $1`, [id])).toEqual({ n: 0 });
  });

  it('is not offered on one’s own account, and the service refuses it anyway', async () => {
    const shown = await admin.get(`/admin/api/resources/users/records/${t.users.admin.id}/show`);
    expect(shown.body.record.recordActions.map((a: { name: string }) => a.name)).not.toContain('deactivate');
    const res = await admin
      .post(`/admin/api/resources/users/records/${t.users.admin.id}/deactivate`)
      .field('version', String(await versionOf(t.users.admin.id)));
    expect(res.status).toBe(400);
    expect(res.body.notice.message).toBe('You cannot deactivate your own account: another administrator does it.');
    expect(await one('SELECT active FROM users WHERE id = $1', [t.users.admin.id])).toEqual({ active: true });
    // And through the generic edit as well: the rule is the service's, not the button's.
    const edit = await admin
      .post(`/admin/api/resources/users/records/${t.users.admin.id}/edit`)
      .field('active', 'false')
      .field('version', String(await versionOf(t.users.admin.id)));
    expect(edit.body.record.errors.active.message).toBe('You cannot deactivate your own account: another administrator does it.');
    expect(await one('SELECT active FROM users WHERE id = $1', [t.users.admin.id])).toEqual({ active: true });
  });

  it('is an administrator’s: another role is refused with 403 and an access-denied row', async () => {
    const id = await makeUser('not.yours', 'viewer');
    const engineer = await t.signIn('engineer');
    const before = await deniedRows();
    const res = await engineer.post(`/admin/api/resources/users/records/${id}/deactivate`).field('version', String(await versionOf(id)));
    expect(res.status).toBe(403);
    expect(await deniedRows()).toBe(before + 1);
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: true });
  });
});

describe('Reactivate', () => {
  it('asks another administrator, who signs it; until then the account stays deactivated', async () => {
    const id = await makeUser('back.again', 'operator');
    await admin.post(`/admin/api/resources/users/records/${id}/deactivate`).field('version', String(await versionOf(id)));
    const res = await admin
      .post(`/admin/api/resources/users/records/${id}/reactivate`)
      .field('version', String(await versionOf(id)))
      .field('reason', 'Back from leave');
    expect(res.status).toBe(200);
    expect(res.body.notice).toEqual({
      message: `Reactivating Lee back.again needs another administrator’s signature: request #${res.body.approvalId} is waiting for them. Lee back.again stays deactivated until then.`,
      type: 'info',
    });
    expect(res.body.redirectUrl).toBe(`/admin/resources/approvals/records/${res.body.approvalId}/show`);
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: false });
    expect(await one('SELECT rule, reason, requested_by_id FROM approvals WHERE id = $1', [res.body.approvalId])).toEqual({
      rule: 'user.reactivate',
      reason: 'Back from leave',
      requested_by_id: t.users.admin.id,
    });

    // The requester cannot sign it; the second administrator can.
    const own = await admin.post(`/admin/api/resources/approvals/records/${res.body.approvalId}/approve`).field('password', TEST_PASSWORD);
    expect(own.status).toBe(403);
    const signed = await secondAdmin.post(`/admin/api/resources/approvals/records/${res.body.approvalId}/approve`).field('password', TEST_PASSWORD);
    expect(signed.status).toBe(200);
    expect(await one('SELECT active FROM users WHERE id = $1', [id])).toEqual({ active: true });
    expect(secondAdminId).toBeGreaterThan(0);
  });
});

describe('the user form', () => {
  it('has no raw Active switch: the actions replace it', () => {
    const decorated = createAdmin(t.ctx).findResource('users').decorate();
    const edit = decorated.getProperties({ where: 'edit' }).map((p) => p.propertyPath);
    expect(edit).not.toContain('active');
    expect(edit).toEqual(expect.arrayContaining(['username', 'full_name', 'email', 'role']));
    expect(decorated.getProperties({ where: 'show' }).map((p) => p.propertyPath)).toContain('active');
  });
});

describe('two administrators', () => {
  it('a role change asked by one is approved by the other', async () => {
    const id = await makeUser('role.change', 'viewer');
    const asked = await admin
      .post(`/admin/api/resources/users/records/${id}/edit`)
      .field('role', 'quality')
      .field('version', String(await versionOf(id)));
    expect(asked.status).toBe(202);
    expect(await one('SELECT role FROM users WHERE id = $1', [id])).toEqual({ role: 'viewer' });
    const approved = await secondAdmin.post(`/admin/api/resources/approvals/records/${asked.body.approvalId}/approve`).field('password', TEST_PASSWORD);
    expect(approved.status).toBe(200);
    expect(await one('SELECT role FROM users WHERE id = $1', [id])).toEqual({ role: 'quality' });
  });
});
