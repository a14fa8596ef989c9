import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { componentLoader } from '../src/panel/component-loader.js';
import type { Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * An address a role may not open (typed, or kept from another role) is answered in the panel by
 * "You may not do this" with what and why (src/http/routes/refusal.routes.ts, asked by the panel's
 * routes in components/refusable-route.tsx), never AdminJS's 404 with internal names. The API
 * itself still answers 403, and every refusal leaves its access_denied row.
 */
let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role, TestAgent>;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

const denied = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n;

async function ask(role: Role, path: string) {
  const res = await agents[role].get(`/admin/api/refusals/${path}`);
  expect(res.status).toBe(200);
  return res.body as { state: string; what?: string; why?: string };
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  for (const role of ['admin', 'engineer', 'approver', 'operator', 'viewer'] as Role[]) agents[role] = await t.signIn(role);
});

afterAll(async () => {
  await t.close();
});

describe('a refused address says what and why, and is recorded', () => {
  it.each([
    ['viewer', 'resources/users/actions/list', 'Users', 'Only administrators may open Users; your role is viewer.'],
    ['approver', 'resources/parts/actions/new', 'Parts: create', 'Only administrators and engineers may create parts; your role is approver.'],
    ['viewer', 'pages/myWork', 'My work', 'My work is for administrators, quality staff and operators; your role is viewer.'],
    ['engineer', 'pages/myWork', 'My work', 'My work is for administrators, quality staff and operators; your role is engineer.'],
    [
      'viewer',
      'pages/myApprovals',
      'My approvals',
      'My approvals is for administrators, engineers, quality staff, approvers and operators; your role is viewer.',
    ],
    ['operator', 'resources/audit_logs/actions/list', 'Audit log', 'Only administrators and quality staff may open Audit log; your role is operator.'],
  ] as const)('%s asking for %s', async (role, path, what, why) => {
    const before = await denied();
    const verdict = await ask(role, path);
    expect(verdict).toEqual({ state: 'refused', what: expect.stringContaining(what), why });
    const row = await one<{ actor_id: number; details: { reason?: string } }>(
      `SELECT actor_id, details FROM audit_logs WHERE action = 'access_denied' ORDER BY id DESC LIMIT 1`,
    );
    expect(await denied()).toBe(before + 1);
    expect(row).toMatchObject({ actor_id: t.users[role].id, details: { reason: why } });
  });

  it('a record of a table the role may not read: refused without telling whether it exists or its name', async () => {
    const exists = await ask('viewer', `resources/users/records/${t.users.admin.id}/show`);
    const missing = await ask('viewer', 'resources/users/records/999999/show');
    expect(exists).toEqual({ state: 'refused', what: `Users: open · #${t.users.admin.id}`, why: 'Only administrators may open users; your role is viewer.' });
    expect(missing).toEqual({ state: 'refused', what: 'Users: open · #999999', why: exists.why });
    expect(JSON.stringify(exists)).not.toContain('Test admin');
  });

  it('an action on a record the role may read but not change names the record', async () => {
    const verdict = await ask('viewer', `resources/travelers/records/${floor.released.id}/edit`);
    expect(verdict).toEqual({
      state: 'refused',
      what: `Travelers: edit · ${floor.released.number}`,
      why: 'Only administrators and engineers may edit travelers; your role is viewer.',
    });
  });

  it('what nobody may do says so', async () => {
    const verdict = await ask('admin', `resources/approvals/records/${floor.released.pendingApprovalId}/edit`);
    expect(verdict.state).toBe('refused');
    expect(verdict.why).toMatch(/^Nobody may edit approvals directly: NEXUS does it only through its own actions/);
  });
});

describe('what is not refused is not recorded', () => {
  it('an allowed address is allowed, with no row', async () => {
    const before = await denied();
    expect(await ask('engineer', 'resources/parts/actions/new')).toEqual({ state: 'allowed' });
    expect(await ask('viewer', `resources/travelers/records/${floor.released.id}/show`)).toEqual({ state: 'allowed' });
    expect(await ask('operator', 'pages/myWork')).toEqual({ state: 'allowed' });
    expect(await denied()).toBe(before);
  });

  it('a missing page or record is "no such page", not a refusal', async () => {
    const before = await denied();
    expect(await ask('admin', 'resources/travelers/records/99999999/show')).toMatchObject({ state: 'missing', what: 'Travelers: open · #99999999' });
    expect(await ask('admin', 'resources/nothing_here/actions/list')).toMatchObject({ state: 'missing' });
    expect(await ask('admin', 'pages/noSuchPage')).toMatchObject({ state: 'missing' });
    // A hidden helper action (no page of its own) is no page either.
    expect(await ask('admin', `resources/travelers/records/${floor.released.id}/pendingChanges`)).toMatchObject({ state: 'missing' });
    expect(await denied()).toBe(before);
  });

  it('an action the record’s state does not allow is "not possible now"', async () => {
    const before = await denied();
    expect(await ask('engineer', `resources/travelers/records/${floor.completed.id}/release`)).toMatchObject({ state: 'unavailable' });
    expect(await denied()).toBe(before);
  });
});

describe('the API and the HTML pages', () => {
  it('an API caller still gets 403 with its row', async () => {
    const before = await denied();
    const res = await agents.viewer.get('/admin/api/resources/users/actions/list');
    expect(res.status).toBe(403);
    expect(await denied()).toBe(before + 1);
  });

  it('a typed list address the role may not open goes to the page that says so', async () => {
    const refused = await agents.viewer.get('/admin/resources/users');
    expect(refused.status).toBe(302);
    expect(refused.headers.location).toBe('/admin/resources/users/actions/list');
    expect((await agents.admin.get('/admin/resources/users')).status).toBe(200);
  });

  it('the panel asks before rendering its resource, record, bulk and page routes', () => {
    const overrides = componentLoader.getComponents();
    for (const route of ['ResourceActionRoute', 'RecordActionRoute', 'BulkActionRoute', 'PageRoute']) {
      expect(overrides[route]).toMatch(/components\/refusable-route(\.tsx)?$/);
    }
  });

  it('is signed-in only', async () => {
    const { default: supertest } = await import('supertest');
    const res = await supertest(t.app).get('/admin/api/refusals/pages/myWork');
    expect(res.status).toBe(401);
  });
});
