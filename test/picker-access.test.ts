import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type AdminJS from 'adminjs';
import type { CurrentAdmin } from 'adminjs';
import type TestAgent from 'supertest/lib/agent.js';
import { createAdmin } from '../src/admin/admin.js';
import { ROLES, type Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { floorRows } from './support/floor-rows.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Normal clicks write no "access denied" rows: every search the panel makes for a role — the
 * reference pickers of each form it can open (panel/components/reference-picker.tsx, with the
 * parameters that picker sends) and the reference filters of each list it can open — is allowed
 * for that role. A search the panel never offers (forged) is still 403 with its row.
 */
let t: TestApp;
const agents = {} as Record<Role, TestAgent>;
let admin: AdminJS;
let floor: Floor;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

const denied = async () => (await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE action = 'access_denied'`)).n;

function currentAdminOf(role: Role): CurrentAdmin {
  const user = t.users[role];
  return { id: user.id, username: user.username, email: `${role}@test.example`, title: `Test ${role}`, role } as unknown as CurrentAdmin;
}

interface Search {
  where: string;
  resource: string;
  params: Record<string, string>;
}

/** A record of the floor's, for a picker that waits for an earlier choice (a revision for the chosen part). */
function chosenId(table: string): string {
  const id = (floorRows(floor) as Partial<Record<string, number>>)[table];
  if (id === undefined) throw new Error(`the floor has no record of ${table} to choose`);
  return String(id);
}

/** The searches the panel makes for this role, as its pickers and filters make them. */
async function searchesOf(role: Role): Promise<Search[]> {
  const me = currentAdminOf(role);
  const searches: Search[] = [];
  for (const resource of admin.resources) {
    const decorated = resource.decorate();
    const { actions } = decorated;
    const formOpen = Boolean(actions.new?.isAccessible(me) && actions.new.isVisible(me)) || Boolean(actions.edit?.isAccessible(me));
    if (formOpen) {
      for (const property of decorated.getProperties({ where: 'edit' })) {
        const json = property.toJSON('edit');
        if (!json.reference) continue;
        const params: Record<string, string> = { 'filters.choosable': 'true', sortBy: 'title', direction: 'asc' };
        const dependsOn = (json.custom as { dependsOn?: string } | undefined)?.dependsOn;
        if (dependsOn) {
          const parent = decorated.getPropertyByKey(dependsOn)!.toJSON('edit').reference!;
          params[`filters.${dependsOn}`] = chosenId(admin.findResource(parent).id());
        }
        searches.push({ where: `form ${decorated.id()}.${property.propertyPath}`, resource: json.reference, params });
      }
    }
    if (actions.list?.isAccessible(me)) {
      for (const property of decorated.getProperties({ where: 'filter' })) {
        const json = property.toJSON('filter');
        // A filter with a component of its own does not search the referenced resource (audit-actor-filter.tsx).
        if (!json.reference || json.components?.filter) continue;
        searches.push({ where: `filter ${decorated.id()}.${property.propertyPath}`, resource: json.reference, params: {} });
      }
    }
  }
  return searches;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = createAdmin(t.ctx);
  floor = await buildFloor(t.db);
  for (const role of ROLES) agents[role] = await t.signIn(role);
});

afterAll(async () => {
  await t.close();
});

describe('every search the panel makes for a role is allowed to it', () => {
  it.each(ROLES)('%s: pickers on its forms and reference filters on its lists answer, and no access-denied row is written', async (role) => {
    const searches = await searchesOf(role);
    const before = await denied();
    const failures: string[] = [];
    for (const search of searches) {
      for (const text of ['', 'a']) {
        const path = `/admin/api/resources/${search.resource}/actions/search${text ? `/${text}` : ''}`;
        const res = await agents[role].get(path).query(search.params);
        if (res.status !== 200 || !Array.isArray(res.body.records))
          failures.push(`${search.where} → ${path}: ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(await denied()).toBe(before);
    // The walk did walk: every role opens some list with a reference filter; planners and operators also forms with pickers.
    expect(searches.length).toBeGreaterThan(0);
    // Every role filters some list by a person (completed by, requested by): the people search.
    expect(searches.some((s) => s.resource === 'users')).toBe(true);
    // Forms with pickers: the planners' and the operator's (labor); the other roles have none.
    expect({ role, formPickers: searches.some((s) => s.where.startsWith('form ')) }).toEqual({
      role,
      formPickers: ['admin', 'engineer', 'operator'].includes(role),
    });
  });
});

describe('people are found by name, and only the administrators see the directory', () => {
  it('a colleague search answers names only to other roles; the directory stays 403', async () => {
    const found = await agents.quality.get('/admin/api/resources/users/actions/search/Floor');
    expect(found.status).toBe(200);
    // The floor's three people, all named "Floor …".
    expect(found.body.records.map((r: { params: { full_name: string } }) => r.params.full_name).sort()).toEqual(
      Object.values(floor.people)
        .map((p) => p.fullName)
        .sort(),
    );
    for (const record of found.body.records as Array<{ params: Record<string, unknown> }>) {
      expect(Object.keys(record.params).sort()).toEqual(['full_name', 'id', 'title']);
    }
    const before = await denied();
    expect((await agents.quality.get('/admin/api/resources/users/actions/list')).status).toBe(403);
    expect((await agents.quality.get(`/admin/api/resources/users/records/${t.users.admin.id}/show`)).status).toBe(403);
    expect(await denied()).toBe(before + 2);
    const full = await agents.admin.get('/admin/api/resources/users/actions/search/Floor');
    // The administrators' directory: e-mail and role too.
    expect(full.body.records.map((r: { params: { email: string; role: string } }) => [r.params.email, r.params.role]).sort()).toEqual(
      Object.entries(floor.people)
        .map(([role, p]) => [p.email, role])
        .sort(),
    );
  });

  it('the operator’s labor form offers only the operator; an administrator’s offers every active user', async () => {
    const params = { 'filters.choosable': 'true', sortBy: 'title', direction: 'asc' };
    const operator = await agents.operator.get('/admin/api/resources/users/actions/search').query(params);
    expect(operator.body.records.map((r: { id: number }) => Number(r.id))).toEqual([t.users.operator.id]);
    const everyone = await agents.admin.get('/admin/api/resources/users/actions/search').query(params);
    // Every user there is, all active: one per role, and the floor's three.
    const all = [...Object.values(t.users), ...Object.values(floor.people)].map((u) => u.id);
    expect(everyone.body.records.map((r: { id: number }) => Number(r.id)).sort((a: number, b: number) => a - b)).toEqual(all.sort((a, b) => a - b));
  });
});

describe('a search the panel does not offer', () => {
  it.each([
    ['operator', 'audit_logs'],
    ['viewer', 'mail_outbox'],
    ['engineer', 'mail_outbox'],
  ] as const)('%s searching %s is 403 with its access-denied row', async (role, resource) => {
    const before = await denied();
    const res = await agents[role].get(`/admin/api/resources/${resource}/actions/search/x`);
    expect(res.status).toBe(403);
    expect(res.body.records ?? []).toEqual([]);
    expect(await denied()).toBe(before + 1);
    const row = await one<{ actor_id: number; table_name: string }>(
      `SELECT actor_id, table_name FROM audit_logs WHERE action = 'access_denied' ORDER BY id DESC LIMIT 1`,
    );
    expect(row).toEqual({ actor_id: t.users[role].id, table_name: resource });
  });
});
