import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { ROLES, type Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { floorRows } from './support/floor-rows.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * The role matrix, declared here independently of src/auth/access-rules.ts so that a change
 * to the rules that nobody meant shows up as a failing test. R = list/show/search,
 * C = new, U = edit, D = delete/bulkDelete.
 */
const ALL: Role[] = ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'];
const ADMIN_ENGINEER: Role[] = ['admin', 'engineer'];
const MATRIX: Record<string, { R: Role[]; C: Role[]; U: Role[]; D: Role[] }> = {
  users: { R: ['admin'], C: ['admin'], U: ['admin'], D: [] },
  customers: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  work_centers: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  parts: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  revisions: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  process_steps: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  sub_steps: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  work_orders: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  // Travelers are made from a work order ("Create traveler"), which copies the routing; no blank form.
  travelers: { R: ALL, C: [], U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  traveler_steps: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  traveler_sub_steps: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  manual_steps: { R: ALL, C: ADMIN_ENGINEER, U: ADMIN_ENGINEER, D: ADMIN_ENGINEER },
  // The operator may edit only their own entries: the fixture entry below is someone else's.
  labor_entries: { R: ALL, C: ['admin', 'operator'], U: ['admin'], D: ['admin'] },
  approvals: { R: ['admin', 'engineer', 'quality', 'approver', 'operator'], C: [], U: [], D: [] },
  audit_logs: { R: ['admin', 'quality'], C: [], U: [], D: [] },
  mail_outbox: { R: ['admin'], C: [], U: [], D: [] },
};

let t: TestApp;
const agents = {} as Record<Role, TestAgent>;
let floor: Floor;
/** The record of each resource that show, edit and delete are tried on. */
const fixtureId: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  // Of the floor's: its labor entries are its operator's, not the test operator's.
  for (const [table, id] of Object.entries(floorRows(floor))) fixtureId[table] = String(id);
  const mail = await t.db.query<{ id: string }>(
    `INSERT INTO mail_outbox (to_address, subject, body, recipient_id) VALUES ($1, 'Test mail', 'Body', $2) RETURNING id::text AS id`,
    [floor.people.operator.email, floor.people.operator.id],
  );
  fixtureId.mail_outbox = mail.rows[0]!.id;
  const audit = await t.db.query<{ id: string }>(
    `SELECT id::text AS id FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 ORDER BY id LIMIT 1`,
    [String(floor.customers.aero.id)],
  );
  fixtureId.audit_logs = audit.rows[0]!.id;
  expect(Object.keys(fixtureId).sort()).toEqual(Object.keys(MATRIX).sort());
  for (const role of ROLES) agents[role] = await t.signIn(role);
});

afterAll(async () => {
  await t.close();
});

async function count(table: string): Promise<number> {
  // A refused call adds an access_denied event to the audit log; that is not a data change.
  const where = table === 'audit_logs' ? ` WHERE action <> 'access_denied'` : '';
  const res = await t.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}${where}`);
  return res.rows[0]!.n;
}

const cases = Object.keys(MATRIX).flatMap((resource) => ROLES.map((role) => [resource, role] as const));

describe.each(cases)('%s as %s', (resource, role) => {
  const rules = MATRIX[resource]!;
  const expectStatus = (allowed: boolean, status: number) => expect({ allowed, status }).toEqual({ allowed, status: allowed ? 200 : 403 });

  it('list, show and search follow the matrix', async () => {
    const allowed = rules.R.includes(role);
    const api = `/admin/api/resources/${resource}`;
    expectStatus(allowed, (await agents[role].get(`${api}/actions/list`)).status);
    expectStatus(allowed, (await agents[role].get(`${api}/records/${fixtureId[resource]}/show`)).status);
    // Colleagues are found by name by every role (names only: test/picker-access.test.ts); the rest of users is the administrators'.
    expectStatus(resource === 'users' || allowed, (await agents[role].get(`${api}/actions/search/a`)).status);
  });

  it('new follows the matrix and an empty form writes nothing', async () => {
    const allowed = rules.C.includes(role);
    const before = await count(resource);
    const res = await agents[role].post(`/admin/api/resources/${resource}/actions/new`).field('unused', 'x');
    // Let in, an empty form is refused for its content (400 with reasons); kept out, 403.
    expect({ allowed, status: res.status }).toEqual({ allowed, status: allowed ? 400 : 403 });
    const reasons = Object.keys(res.body.record?.errors ?? {}).length;
    expect({ allowed, refusedWithReasons: reasons > 0 }).toEqual({ allowed, refusedWithReasons: allowed });
    expect(await count(resource)).toBe(before);
  });

  it('edit, delete and bulk delete follow the matrix', async () => {
    const api = `/admin/api/resources/${resource}`;
    const id = fixtureId[resource];
    expectStatus(rules.U.includes(role), (await agents[role].get(`${api}/records/${id}/edit`)).status);
    expectStatus(rules.D.includes(role), (await agents[role].get(`${api}/records/${id}/delete`)).status);
    expectStatus(rules.D.includes(role), (await agents[role].get(`${api}/bulk/bulkDelete?recordIds=${id}`)).status);
  });

  if (!rules.U.includes(role)) {
    it('a refused edit by direct POST changes nothing', async () => {
      const api = `/admin/api/resources/${resource}`;
      const id = fixtureId[resource];
      const before = await t.db.query(`SELECT * FROM ${resource} WHERE id = $1`, [id]);
      expect(before.rows).toHaveLength(1);
      const edit = await agents[role].post(`${api}/records/${id}/edit`).field('notes', 'changed by a forbidden call').field('description', 'forbidden');
      expect(edit.status).toBe(403);
      expect((await t.db.query(`SELECT * FROM ${resource} WHERE id = $1`, [id])).rows).toEqual(before.rows);
    });
  }

  if (!rules.D.includes(role)) {
    it('a refused delete or bulk delete by direct POST changes nothing', async () => {
      const api = `/admin/api/resources/${resource}`;
      const id = fixtureId[resource];
      const before = await t.db.query(`SELECT * FROM ${resource} WHERE id = $1`, [id]);
      expect(before.rows).toHaveLength(1);
      const del = await agents[role].post(`${api}/records/${id}/delete`);
      expect(del.status).toBe(403);
      const bulk = await agents[role].post(`${api}/bulk/bulkDelete?recordIds=${id}`);
      expect(bulk.status).toBe(403);
      expect((await t.db.query(`SELECT * FROM ${resource} WHERE id = $1`, [id])).rows).toEqual(before.rows);
    });
  }
});

describe('labor entries are the operator’s own', () => {
  it('an operator edits their own entry but not another operator’s', async () => {
    const own = await t.db.query<{ id: string }>(
      `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type, reason)
       VALUES ($1, $2, now() - interval '2 hours', now() - interval '1 hour', 'manual', 'Forgot to clock in') RETURNING id::text AS id`,
      [t.users.operator.id, floor.completed.id],
    );
    const mine = await agents.operator.get(`/admin/api/resources/labor_entries/records/${own.rows[0]!.id}/edit`);
    expect(mine.status).toBe(200);
    const theirs = await agents.operator.get(`/admin/api/resources/labor_entries/records/${fixtureId.labor_entries}/edit`);
    expect(theirs.status).toBe(403);
  });

  it('an operator cannot book labor in someone else’s name: refused on the field, nothing written; left out, it is their own', async () => {
    const travelerId = String(floor.completed.id);
    const someoneElse = t.users.admin.id;
    const entries = async () => Number((await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM labor_entries')).rows[0]!.n);
    const before = await entries();
    const book = (user: string | null) => {
      let request = agents.operator.post('/admin/api/resources/labor_entries/actions/new');
      if (user !== null) request = request.field('user_id', user);
      return request
        .field('traveler_id', travelerId)
        .field('started_at', '2026-01-05T08:00:00.000Z')
        .field('ended_at', '2026-01-05T09:30:00.000Z')
        .field('entry_type', 'manual')
        .field('reason', 'Setup time not clocked');
    };
    const refused = await book(String(someoneElse));
    expect(refused.status).toBe(400);
    expect(refused.body.record.errors.user_id.message).toMatch(/their own labor/);
    expect(await entries()).toBe(before);
    const res = await book(null);
    expect(res.status).toBe(200);
    expect(res.body.record.errors).toEqual({});
    const row = await t.db.query<{ user_id: number; hours: number }>('SELECT user_id, hours FROM labor_entries WHERE id = $1', [res.body.record.id]);
    expect(row.rows[0]).toEqual({ user_id: t.users.operator.id, hours: 1.5 });
  });
});
