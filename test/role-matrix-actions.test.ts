import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type AdminJS from 'adminjs';
import express from 'express';
import pino from 'pino';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createAdmin } from '../src/admin/admin.js';
import { adminRouter } from '../src/http/admin-router.js';
import { ROLES, type Role } from '../src/auth/roles.js';
import { requestContext } from '../src/http/request-context.js';
import { buildFloor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * Each role can do exactly what the role matrix says, by direct HTTP call, and a
 * denied attempt is logged. The matrix below is DECLARED here, independently of
 * src/auth/access-rules.ts: a rule change nobody meant fails this test, and so does an action
 * that appears in the panel without a line here (every action AdminJS exposes is enumerated at
 * run time and must be listed).
 *
 * Calls are GETs: for every action of this panel a GET only reads (our custom actions return the
 * record and do nothing else; the test proves it by fingerprinting every table before and after).
 * Exceptions: the generic `new` throws on GET (AdminJS only creates on POST), so it is called
 * with an empty POST form, which is refused as invalid and writes nothing; the actions that
 * change state are also POSTed, with a payload that would do the work, by every role they are
 * denied to (a denied POST must change nothing); and the CSV download of the audit trail is not
 * a pure read by design: it records an `export` event, counted in its own test.
 */

/** Written out, not taken from roles.ts: a new role must be placed in this matrix by someone. */
const ALL: readonly Role[] = ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'];
const NONE: readonly Role[] = [];
const ADMIN: readonly Role[] = ['admin'];
const PLANNERS: readonly Role[] = ['admin', 'engineer'];
const AUDITORS: readonly Role[] = ['admin', 'quality'];
/** Who starts, signs off, clocks in and out on steps and records checks. */
const FLOOR: readonly Role[] = ['admin', 'quality', 'operator'];
const APPROVALS_READERS: readonly Role[] = ['admin', 'engineer', 'quality', 'approver', 'operator'];

/** The generic actions, each named: R = list, show, search, history, pendingChanges, exportCsv; C = new; U = edit; D = delete, bulkDelete. */
function generic(r: { R: readonly Role[]; C: readonly Role[]; U: readonly Role[]; D: readonly Role[] }): Record<string, readonly Role[]> {
  return {
    list: r.R,
    show: r.R,
    search: r.R,
    history: r.R,
    pendingChanges: r.R,
    exportCsv: r.R,
    new: r.C,
    edit: r.U,
    delete: r.D,
    bulkDelete: r.D,
  };
}
const referenceData = generic({ R: ALL, C: PLANNERS, U: PLANNERS, D: PLANNERS });

/**
 * resource → action → the roles allowed. Record-dependent cells hold for the fixture records
 * chosen in beforeAll: the labor entry is another operator's (an operator edits only their own:
 * test/role-matrix.test.ts), the approval request is the test engineer's own, pending, under
 * the traveler content rule (decided by approvers and administrators, never by the requester).
 */
const MATRIX: Record<string, Record<string, readonly Role[]>> = {
  users: {
    ...generic({ R: ADMIN, C: ADMIN, U: ADMIN, D: NONE }),
    // Colleagues are looked up by name by everyone (a "completed by" filter); the directory stays the administrators'.
    search: ALL,
    deactivate: ADMIN,
    reactivate: ADMIN,
  },
  customers: referenceData,
  work_centers: referenceData,
  parts: referenceData,
  // A revision's status moves with Release (held for an approver) and Make obsolete, never by typing it.
  revisions: { ...referenceData, release: PLANNERS, obsolete: PLANNERS },
  process_steps: referenceData,
  sub_steps: referenceData,
  work_orders: {
    ...generic({ R: ALL, C: PLANNERS, U: PLANNERS, D: PLANNERS }),
    createTraveler: PLANNERS,
  },
  travelers: {
    // Made from a work order (createTraveler), never from a blank form.
    ...generic({ R: ALL, C: NONE, U: PLANNERS, D: PLANNERS }),
    release: PLANNERS,
    start: ['admin', 'engineer', 'quality', 'operator'],
    hold: ['admin', 'engineer', 'quality'],
    resume: ['admin', 'engineer', 'quality'],
    complete: ['admin', 'engineer', 'quality', 'operator'],
    cancel: PLANNERS,
    addManualStep: PLANNERS,
    print: ALL,
    stepsOverview: ALL,
  },
  traveler_steps: {
    ...generic({ R: ALL, C: PLANNERS, U: PLANNERS, D: PLANNERS }),
    start: FLOOR,
    signOff: FLOOR,
    clockIn: FLOOR,
    clockOut: FLOOR,
    // The step's checks awaiting a disposition, with their forms: quality's alone.
    disposition: ['quality'],
  },
  manual_steps: {
    ...generic({ R: ALL, C: PLANNERS, U: PLANNERS, D: PLANNERS }),
    start: FLOOR,
    signOff: FLOOR,
    clockIn: FLOOR,
    clockOut: FLOOR,
  },
  traveler_sub_steps: {
    ...generic({ R: ALL, C: PLANNERS, U: PLANNERS, D: PLANNERS }),
    recordCheck: FLOOR,
    // Out-of-limits measurements are decided by quality alone, not even by administrators.
    disposition: ['quality'],
  },
  labor_entries: generic({ R: ALL, C: ['admin', 'operator'], U: ADMIN, D: ADMIN }),
  approvals: {
    ...generic({ R: APPROVALS_READERS, C: NONE, U: NONE, D: NONE }),
    approve: ['admin', 'approver'],
    reject: ['admin', 'approver'],
    withdraw: ['engineer'],
    targetHistory: APPROVALS_READERS,
    subject: APPROVALS_READERS,
  },
  audit_logs: {
    // The audit trail is the history itself: no History or pending-changes actions of its own.
    list: AUDITORS,
    show: AUDITORS,
    search: AUDITORS,
    new: NONE,
    edit: NONE,
    delete: NONE,
    bulkDelete: NONE,
    exportCsv: AUDITORS,
    auditActors: AUDITORS,
  },
  mail_outbox: generic({ R: ADMIN, C: NONE, U: NONE, D: NONE }),
};

/** Actions that change something when POSTed; every role denied one POSTs it too, with this payload. */
const STATE_CHANGING: Record<string, Record<string, Record<string, string>>> = {
  users: { deactivate: {}, reactivate: { reason: 'Forbidden' } },
  travelers: {
    release: {},
    start: {},
    hold: { reason: 'Forbidden hold' },
    resume: {},
    complete: {},
    cancel: { reason: 'Forbidden cancel' },
    addManualStep: { after_step_number: '10', operation: 'Forbidden step', reason: 'Forbidden' },
  },
  work_orders: { createTraveler: { quantity: '1' } },
  revisions: { release: { effective_date: '2031-01-01' }, obsolete: {} },
  traveler_steps: { start: {}, signOff: {}, clockIn: {}, clockOut: {} },
  manual_steps: { start: {}, signOff: {}, clockIn: {}, clockOut: {} },
  traveler_sub_steps: { recordCheck: { measured_value: '1' }, disposition: { disposition: 'scrap', note: 'Forbidden' } },
  approvals: {
    approve: { password: TEST_PASSWORD, comment: 'Forbidden' },
    reject: { password: TEST_PASSWORD, comment: 'Forbidden' },
    withdraw: {},
  },
};

/**
 * Pages: open to every signed-in role (200, nothing to refuse); what they list depends on the
 * role. `shows`: the roles the page lists something for, as `probe` tells from its answer.
 */
const PAGES: Record<string, { shows: readonly Role[]; probe: (body: Record<string, unknown>) => boolean; othersRefused?: boolean }> = {
  // The fixture request waits in the inbox of those who may decide it, and under "mine" for its requester.
  myApprovals: {
    shows: ['admin', 'approver', 'engineer'],
    probe: (body) =>
      [...((body.toDecide as Array<{ id: number }>) ?? []), ...((body.mine as Array<{ id: number }>) ?? [])].some((a) => String(a.id) === fixtureId.approvals),
  },
  // Steps to work, for those who work steps; anyone else gets an empty list and the reason.
  myWork: { shows: FLOOR, probe: (body) => Array.isArray(body.workCenters) && body.workCenters.length > 0 && !body.note },
  // Quality's queue of checks awaiting a disposition: anyone else is refused (403) with the reason.
  dispositionQueue: { shows: ['quality'], probe: (body) => Array.isArray(body.choices) && body.choices.length > 0, othersRefused: true },
};

/** Routes of ours outside the AdminJS API. */
const ROUTES = {
  print: { path: (id: string) => `/admin/travelers/${id}/print`, allowed: ALL },
  auditCsv: { path: () => '/admin/exports/audit-logs.csv', allowed: AUDITORS },
};

type ActionType = 'record' | 'resource' | 'bulk';
interface Call {
  role: Role;
  resource: string;
  action: string;
  method: 'GET' | 'POST';
  recordId: string | null;
  status: number;
}

let t: TestApp;
let admin: AdminJS;
const agents = {} as Record<Role, TestAgent>;
const fixtureId: Record<string, string> = {};
/** Every call the matrix sweep made, with its answer. */
const calls: Call[] = [];
let baseline: { tables: Record<string, string>; auditMaxId: string };

async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  const row = (await t.db.query(sql, params)).rows[0];
  if (!row) throw new Error(`no row: ${sql}`);
  return row as T;
}

async function idOf(sql: string, params: unknown[] = []): Promise<string> {
  return (await one<{ id: string }>(sql, params)).id;
}

/** A fingerprint of every resource table (row count and a hash of all rows). */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = Object.keys(MATRIX).filter((table) => table !== 'audit_logs');
  const result: Record<string, string> = {};
  for (const table of tables) {
    const row = await one<{ n: number; h: string | null }>(`SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t.id)) AS h FROM ${table} t`);
    result[table] = `${row.n}:${row.h ?? ''}`;
  }
  return result;
}

async function auditMaxId(): Promise<string> {
  return (await one<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_logs')).id;
}

/** The actions AdminJS exposes for a resource, with their type. */
function exposedActions(resourceId: string): Record<string, ActionType> {
  const resource = admin.findResource(resourceId);
  const typeOf = (a: ReturnType<typeof resource.decorate>['actions'][string]): ActionType =>
    a.isRecordType() ? 'record' : a.isBulkType() ? 'bulk' : 'resource';
  return Object.fromEntries(Object.values(resource.decorate().actions).map((a) => [a.name, typeOf(a)]));
}

function urlOf(resource: string, action: string, type: ActionType): string {
  const api = `/admin/api/resources/${resource}`;
  if (type === 'record') return `${api}/records/${fixtureId[resource]}/${action}`;
  if (type === 'bulk') return `${api}/bulk/${action}?recordIds=${fixtureId[resource]}`;
  return action === 'search' ? `${api}/actions/search/a` : `${api}/actions/${action}`;
}

function recordIdOf(resource: string, type: ActionType): string | null {
  return type === 'resource' ? null : fixtureId[resource]!;
}

/**
 * Sends one call per role at once (the six sessions are independent) and notes each answer. A POST
 * (only `new`) sends an empty form, which is invalid for every resource and so writes nothing.
 */
async function callAsEveryRole(resource: string, action: string, type: ActionType, method: 'GET' | 'POST'): Promise<Record<Role, number>> {
  const url = urlOf(resource, action, type);
  const statuses = await Promise.all(
    ROLES.map(async (role) => (method === 'GET' ? agents[role].get(url) : agents[role].post(url).field('unused', 'x')).then((res) => res.status)),
  );
  const answers = {} as Record<Role, number>;
  ROLES.forEach((role, i) => {
    answers[role] = statuses[i]!;
    calls.push({ role, resource, action, method, recordId: recordIdOf(resource, type), status: statuses[i]! });
  });
  return answers;
}

/** What a role is told: 200 when let in (a refused empty `new` form is 400: it was let in too), 403 when not. */
function expected(allowed: readonly Role[], action: string): Record<Role, number | string> {
  return Object.fromEntries(ROLES.map((role) => [role, allowed.includes(role) ? (action === 'new' ? '200 or 400' : 200) : 403])) as Record<
    Role,
    number | string
  >;
}

function observed(answers: Record<Role, number>, action: string): Record<Role, number | string> {
  return Object.fromEntries(ROLES.map((role) => [role, action === 'new' && [200, 400].includes(answers[role]) ? '200 or 400' : answers[role]])) as Record<
    Role,
    number | string
  >;
}

beforeAll(async () => {
  t = await createTestApp();
  const floor = await buildFloor(t.db);
  admin = createAdmin(t.ctx);
  await t.db.query(`INSERT INTO mail_outbox (to_address, subject, body, recipient_id) SELECT email, 'Test mail', 'Body', id FROM users ORDER BY id LIMIT 1`);
  for (const table of Object.keys(MATRIX)) fixtureId[table] = await idOf(`SELECT id::text AS id FROM ${table} ORDER BY id LIMIT 1`);
  // Records whose state or owner the matrix's cells assume: the floor's released traveler, its
  // first step and check, its open work order, and a labor entry of the floor's own operator.
  fixtureId.travelers = String(floor.released.id);
  fixtureId.traveler_steps = String(floor.released.steps[10]);
  fixtureId.traveler_sub_steps = String(floor.released.checks[20]![1]);
  fixtureId.work_orders = String(floor.workOrders.open.id);
  fixtureId.labor_entries = String(floor.completed.laborEntryIds[0]);
  for (const role of ROLES) agents[role] = await t.signIn(role);
  // The approval request: the test engineer asks to change the released traveler's quantity.
  const shown = await agents.engineer.get(`/admin/api/resources/travelers/records/${fixtureId.travelers}/show`);
  const requested = await agents.engineer
    .post(`/admin/api/resources/travelers/records/${fixtureId.travelers}/edit`)
    .field('version', String(shown.body.record.params.version))
    .field('quantity', '261')
    .field('change_reason', 'Role matrix fixture');
  expect(requested.body.approvalId).toEqual(expect.any(Number));
  fixtureId.approvals = String(requested.body.approvalId);
  expect(await one(`SELECT status, rule, requested_by_id FROM approvals WHERE id = $1`, [fixtureId.approvals])).toEqual({
    status: 'pending',
    rule: 'traveler.locked_content',
    requested_by_id: t.users.engineer.id,
  });
  baseline = { tables: await fingerprint(), auditMaxId: await auditMaxId() };
});

afterAll(async () => {
  await t?.close();
});

describe('the declared matrix covers what the panel exposes', () => {
  it('knows every role', () => {
    expect([...ROLES].sort()).toEqual([...ALL].sort());
  });

  it('lists every resource of the panel, and no other', () => {
    expect(admin.resources.map((r) => r.id()).sort()).toEqual(Object.keys(MATRIX).sort());
  });

  it('lists every action of every resource, and no other: a new action needs a line here', () => {
    const exposed = Object.fromEntries(Object.keys(MATRIX).map((resource) => [resource, Object.keys(exposedActions(resource)).sort()]));
    const declared = Object.fromEntries(Object.entries(MATRIX).map(([resource, actions]) => [resource, Object.keys(actions).sort()]));
    expect(exposed).toEqual(declared);
  });

  it('lists every page of the panel', () => {
    expect(Object.keys(admin.options.pages ?? {}).sort()).toEqual(Object.keys(PAGES).sort());
  });
});

describe.each(Object.keys(MATRIX))('%s: every action as every role, by direct HTTP call', (resource) => {
  it('answers exactly as the declared matrix says', async () => {
    const types = exposedActions(resource);
    const got: Record<string, Record<Role, number | string> | string> = {};
    const want: Record<string, Record<Role, number | string>> = {};
    await Promise.all(
      Object.entries(MATRIX[resource]!).map(async ([action, allowed]) => {
        want[action] = expected(allowed, action);
        const type = types[action];
        if (!type) {
          got[action] = 'not exposed by the panel';
          return;
        }
        const answers = await callAsEveryRole(resource, action, type, action === 'new' ? 'POST' : 'GET');
        got[action] = observed(answers, action);
      }),
    );
    expect(got).toEqual(want);
  });

  const stateChanging = STATE_CHANGING[resource] ?? {};
  if (Object.keys(stateChanging).length) {
    it('refuses a denied role by POST too, with a payload that would do the work', async () => {
      const types = exposedActions(resource);
      const got: Record<string, Partial<Record<Role, number>>> = {};
      const want: Record<string, Partial<Record<Role, number>>> = {};
      for (const [action, payload] of Object.entries(stateChanging)) {
        const denied = ROLES.filter((role) => !MATRIX[resource]![action]!.includes(role));
        expect({ action, deniedRoles: denied.length > 0 }).toEqual({ action, deniedRoles: true });
        const url = urlOf(resource, action, types[action]!);
        got[action] = {};
        want[action] = {};
        for (const role of denied) {
          let req = agents[role].post(url);
          for (const [k, v] of Object.entries(payload)) req = req.field(k, v);
          const status = (await req).status;
          calls.push({ role, resource, action, method: 'POST', recordId: fixtureId[resource]!, status });
          got[action]![role] = status;
          want[action]![role] = 403;
        }
      }
      expect(got).toEqual(want);
    });
  }
});

describe('what the sweep left behind', () => {
  it('changed no data: every table is as it was (the GETs only read, the denied POSTs did nothing)', async () => {
    // Every cell was called: one call per action and role, plus a POST per denied state-changing action.
    const cells = Object.values(MATRIX).reduce((n, actions) => n + Object.keys(actions).length * ROLES.length, 0);
    const deniedPosts = Object.entries(STATE_CHANGING).reduce(
      (n, [resource, actions]) => n + Object.keys(actions).reduce((m, action) => m + ROLES.length - MATRIX[resource]![action]!.length, 0),
      0,
    );
    expect(calls.length).toBe(cells + deniedPosts);
    expect(await fingerprint()).toEqual(baseline.tables);
  });

  it('logged each refused call as exactly one access_denied audit row by the caller, and nothing else', async () => {
    const rows = (
      await t.db.query<{
        action: string;
        actor_id: number;
        table_name: string;
        record_id: string | null;
        denied: string;
        method: string;
        path: string;
        ip: string | null;
      }>(
        `SELECT action, actor_id, table_name, record_id, details->>'action' AS denied, details->>'method' AS method, details->>'path' AS path, host(ip_address) AS ip
           FROM audit_logs WHERE id > $1::bigint`,
        [baseline.auditMaxId],
      )
    ).rows;
    const key = (c: { role: Role | string; resource: string; action: string; method: string; recordId: string | null }) =>
      `${c.role} ${c.method} ${c.resource}/${c.recordId ?? '-'}/${c.action}`;
    const roleOf = Object.fromEntries(ROLES.map((role) => [t.users[role].id, role]));
    const logged = rows.map((r) =>
      r.action === 'access_denied'
        ? key({ role: roleOf[r.actor_id] ?? `user ${r.actor_id}`, resource: r.table_name, action: r.denied, method: r.method, recordId: r.record_id })
        : `unexpected ${r.action}`,
    );
    const refused = calls.filter((c) => c.status === 403).map(key);
    expect(refused.length).toBeGreaterThan(0);
    expect(logged.sort()).toEqual(refused.sort());
    expect(rows.filter((r) => !r.ip || !r.path.startsWith('/admin/api/'))).toEqual([]);
  });
});

describe('pages, the dashboard and our own routes', () => {
  it('opens every page to every role (or refuses it, for a page of one role), listing things only for the roles the page is for', async () => {
    const got: Record<string, Record<Role, string>> = {};
    const want: Record<string, Record<Role, string>> = {};
    for (const [page, { shows, probe, othersRefused }] of Object.entries(PAGES)) {
      got[page] = {} as Record<Role, string>;
      want[page] = {} as Record<Role, string>;
      for (const role of ROLES) {
        const res = await agents[role].get(`/admin/api/pages/${page}`);
        got[page]![role] = `${res.status} ${probe(res.body as Record<string, unknown>) ? 'lists' : 'empty'}`;
        want[page]![role] = shows.includes(role) ? '200 lists' : othersRefused ? '403 empty' : '200 empty';
      }
    }
    expect(got).toEqual(want);
  });

  it('shows the dashboard to every role', async () => {
    const statuses = await Promise.all(ROLES.map(async (role) => [role, (await agents[role].get('/admin/api/dashboard')).status] as const));
    expect(Object.fromEntries(statuses)).toEqual(Object.fromEntries(ROLES.map((role) => [role, 200])));
  });

  it('prints a traveler for every role that may read it, and exports the audit trail for auditors only', async () => {
    const got: Record<string, Record<Role, number>> = { print: {} as Record<Role, number>, auditCsv: {} as Record<Role, number> };
    for (const role of ROLES) {
      got.print![role] = (await agents[role].get(ROUTES.print.path(fixtureId.travelers!))).status;
      const exportsBefore = await auditMaxId();
      const csv = await agents[role].get(ROUTES.auditCsv.path()).query({ 'filters.table_name': 'customers' });
      got.auditCsv![role] = csv.status;
      // An export is itself recorded; a refused one records no export.
      const exported = await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE id > $1::bigint AND action = 'export' AND actor_id = $2`, [
        exportsBefore,
        t.users[role].id,
      ]);
      expect({ role, exported: exported.n }).toEqual({ role, exported: ROUTES.auditCsv.allowed.includes(role) ? 1 : 0 });
    }
    const want = (allowed: readonly Role[]) => Object.fromEntries(ROLES.map((role) => [role, allowed.includes(role) ? 200 : 403]));
    expect(got).toEqual({ print: want(ROUTES.print.allowed), auditCsv: want(ROUTES.auditCsv.allowed) });
  });
});

describe('a denied attempt is logged', () => {
  const deniedUrl = () => `/admin/api/resources/travelers/records/${fixtureId.travelers}/release`;

  it('writes exactly one access_denied row: the user, the resource, the record, the action, IP and user agent', async () => {
    const before = await auditMaxId();
    const res = await agents.operator.get(deniedUrl()).set('User-Agent', 'role-matrix-test/1.0');
    expect(res.status).toBe(403);
    const rows = (
      await t.db.query(
        `SELECT action, actor_kind, actor_id, actor_username, table_name, record_id, host(ip_address) AS ip, user_agent, request_id, details
           FROM audit_logs WHERE id > $1::bigint`,
        [before],
      )
    ).rows;
    expect(rows).toEqual([
      {
        action: 'access_denied',
        actor_kind: 'user',
        actor_id: t.users.operator.id,
        actor_username: t.users.operator.username,
        table_name: 'travelers',
        record_id: fixtureId.travelers,
        ip: expect.stringMatching(/127\.0\.0\.1|::1/),
        user_agent: 'role-matrix-test/1.0',
        request_id: res.headers['x-request-id'],
        details: { action: 'release', method: 'GET', path: deniedUrl(), reason: expect.any(String) },
      },
    ]);
  });

  it('writes nothing for an allowed call', async () => {
    const before = await auditMaxId();
    expect((await agents.engineer.get(deniedUrl())).status).toBe(200);
    expect((await agents.viewer.get(`/admin/api/resources/travelers/records/${fixtureId.travelers}/show`)).status).toBe(200);
    expect(await auditMaxId()).toBe(before);
  });

  it('keeps an id typed into the URL to the size of the audit column, and still answers 403', async () => {
    const before = await auditMaxId();
    const bulk = await agents.viewer.get(
      `/admin/api/resources/customers/bulk/bulkDelete?recordIds=${[fixtureId.customers, ...Array.from({ length: 40 }, (_, i) => 1_000_000 + i)].join(',')}`,
    );
    expect(bulk.status).toBe(403);
    const row = await one<{ record_id: string }>(`SELECT record_id FROM audit_logs WHERE id > $1::bigint AND action = 'access_denied'`, [before]);
    expect(row.record_id.length).toBe(64);
  });

  it('writes one warn line for it, and a failure to record is logged while the caller still gets 403', async () => {
    // The panel router alone, with a logger we can read and a session of the viewer.
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) });
    const app = express();
    app.use(requestContext());
    app.use((req, _res, next) => {
      (req as unknown as { session: object }).session = { userId: t.users.viewer.id, loginAt: Date.now() };
      next();
    });
    app.use('/admin', adminRouter(admin, { ctx: t.ctx, absoluteSessionHours: 12, logger }));
    const url = `/admin/api/resources/users/records/${t.users.viewer.id}/edit`;

    const before = await auditMaxId();
    expect((await supertest(app).get(url).set('User-Agent', 'warn-line-test')).status).toBe(403);
    expect(lines).toEqual([
      expect.objectContaining({
        level: 40,
        msg: 'access denied',
        userId: t.users.viewer.id,
        username: t.users.viewer.username,
        role: 'viewer',
        userAgent: 'warn-line-test',
        resource: 'users',
        record: String(t.users.viewer.id),
        action: 'edit',
        method: 'GET',
        path: url,
      }),
    ]);
    expect((await one<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE id > $1::bigint AND action = 'access_denied'`, [before])).n).toBe(1);

    // Fault injection: the audit event cannot be written (every other query goes through).
    lines.length = 0;
    const sequelize = t.appSequelize;
    const original = sequelize.query.bind(sequelize);
    (sequelize as unknown as { query: unknown }).query = (sql: unknown, ...rest: unknown[]) =>
      typeof sql === 'string' && sql.includes('audit_event(')
        ? Promise.reject(new Error('audit database unavailable'))
        : (original as (...a: unknown[]) => unknown)(sql, ...rest);
    try {
      const res = await supertest(app).get(url);
      expect(res.status).toBe(403);
    } finally {
      (sequelize as unknown as { query: unknown }).query = original;
    }
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [40, 'access denied'],
      [50, 'recording a denied attempt in the audit trail failed'],
    ]);
  });
});
