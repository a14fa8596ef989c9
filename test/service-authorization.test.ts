import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Model, ModelStatic } from 'sequelize';
import type TestAgent from 'supertest/lib/agent.js';
import { AccessDeniedError, RESOURCE_RULES, type ResourceId } from '../src/auth/access-rules.js';
import { isWritableField } from '../src/auth/field-rules.js';
import type { Role } from '../src/auth/roles.js';
import { ALL_MODELS } from '../src/models/index.js';
import { createRecord, deleteRecords, updateRecord } from '../src/records/record.service.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { floorRows, type FloorTable } from './support/floor-rows.js';
import { createTestApp, testActor, type TestApp } from './support/test-app.js';

/**
 * Authorization where the write happens: the record service checks the role matrix of
 * access-rules.ts, the record-level rules and the field allow-list of field-rules.ts itself, so a
 * script, a future route or a panel bug cannot skip them; and no form field chooses which record
 * is written or sets what no form may set.
 */

let t: TestApp;
let floor: Floor;
/** The floor's record of each table that updates are tried on. */
let rowOf: Record<FloorTable, number>;
const modelOf = (table: string) => ALL_MODELS.find((m) => m.getTableName() === table) as unknown as ModelStatic<Model>;
const one = async <T>(sql: string, params: unknown[] = []) => (await t.db.query(sql, params)).rows[0] as T;

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  rowOf = floorRows(floor);
});
afterAll(async () => {
  await t.close();
});

async function outcome(work: () => Promise<unknown>): Promise<'denied' | 'passed'> {
  try {
    await work();
    return 'passed';
  } catch (error) {
    return error instanceof AccessDeniedError ? 'denied' : 'passed';
  }
}

/**
 * Who may create, update and delete through the service, written out here. Travelers are made by
 * planners (from a work order: the panel has no blank form for them); an operator updates labor
 * entries, their own only (a rule of its own, below); approvals, the audit log and the mail outbox
 * are written by workflows, never as records.
 */
const ROLE_LIST: Role[] = ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'];
const PLANNERS: Role[] = ['admin', 'engineer'];
const planned = { create: PLANNERS, update: PLANNERS, delete: PLANNERS };
const noOne = { create: [], update: [], delete: [] };
const WRITES: Record<string, { create: Role[]; update: Role[]; delete: Role[] }> = {
  users: { create: ['admin'], update: ['admin'], delete: [] },
  customers: planned,
  work_centers: planned,
  parts: planned,
  revisions: planned,
  process_steps: planned,
  sub_steps: planned,
  work_orders: planned,
  travelers: planned,
  traveler_steps: planned,
  traveler_sub_steps: planned,
  manual_steps: planned,
  labor_entries: { create: ['admin', 'operator'], update: ['admin', 'operator'], delete: ['admin'] },
  approvals: noOne,
  audit_logs: noOne,
  mail_outbox: noOne,
};

/** The record an update is tried on: the floor's, mostly. */
async function existingOf(table: string): Promise<string> {
  // The test operator's own entry: whose entry it is has a rule of its own (below).
  if (table === 'labor_entries') {
    const own = await one<{ id: string }>(
      `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type, reason) VALUES ($1, $2, now() - interval '9 hours', now() - interval '8 hours', 'manual', 'matrix') RETURNING id::text AS id`,
      [t.users.operator.id, floor.completed.id],
    );
    return own.id;
  }
  // The floor's first customer being made.
  if (table === 'audit_logs') {
    const made = await one<{ id: string }>(`SELECT id::text AS id FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 ORDER BY id LIMIT 1`, [
      String(floor.customers.aero.id),
    ]);
    return made.id;
  }
  // No mail is queued: a record that does not exist.
  if (table === 'mail_outbox') return '1';
  return String(rowOf[table as FloorTable]);
}

describe('the role matrix, in the record service', () => {
  it('covers every resource the access rules know', () => {
    expect(Object.keys(RESOURCE_RULES).sort()).toEqual(Object.keys(WRITES).sort());
  });

  it.each(Object.keys(WRITES))(
    '%s: create, update and delete are refused to exactly the roles the matrix refuses, whoever calls the service',
    async (table) => {
      const model = modelOf(table);
      const existing = await existingOf(table);
      const got: Record<string, unknown> = {};
      const want: Record<string, unknown> = {};
      const rules = WRITES[table]!;
      for (const role of ROLE_LIST) {
        const actor = testActor(t.users[role]);
        // An empty create and an update without a version are refused further on (validation,
        // staleness) when the role may write: what is checked here is only who was let through.
        const create = await outcome(() => createRecord(model, {}, actor));
        const update = await outcome(() => updateRecord(model, existing, {}, actor));
        // A record that does not exist: an allowed role gets "not found", never a deletion.
        const remove = await outcome(() => deleteRecords(model, ['2000000000'], actor));
        got[role] = { create, update, remove };
        const verdict = (allowed: Role[]) => (allowed.includes(role) ? 'passed' : 'denied');
        want[role] = { create: verdict(rules.create), update: verdict(rules.update), remove: verdict(rules.delete) };
      }
      expect(got).toEqual(want);
    },
  );

  it('an operator changes and deletes only their own labor entries, through the service too', async () => {
    const operator = testActor(t.users.operator);
    const model = modelOf('labor_entries');
    // The floor operator's, on the completed traveler.
    const other = await one<{ id: number; version: number; reason: string | null }>(`SELECT id, version, reason FROM labor_entries WHERE id = $1`, [
      floor.completed.laborEntryIds[0],
    ]);
    await expect(updateRecord(model, other.id, { version: other.version, reason: 'mine now' }, operator)).rejects.toBeInstanceOf(AccessDeniedError);
    expect(await one(`SELECT version, reason FROM labor_entries WHERE id = $1`, [other.id])).toEqual({ version: other.version, reason: other.reason });
  });
});

describe('the record to change comes from the address', () => {
  let operator: TestAgent;
  beforeAll(async () => {
    operator = await t.signIn('operator');
  });

  it('an id in an edit form naming another record is refused, and neither record changes', async () => {
    const mine = await one<{ id: number; version: number }>(
      `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type, reason) VALUES ($1, $2, now() - interval '3 hours', now() - interval '2 hours', 'manual', 'own entry') RETURNING id, version`,
      [t.users.operator.id, floor.completed.id],
    );
    const theirs = await one<{ id: number; version: number }>(
      `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type, reason) VALUES ($1, $2, now() - interval '5 hours', now() - interval '4 hours', 'manual', 'their entry') RETURNING id, version`,
      [t.users.quality.id, floor.completed.id],
    );
    const snapshot = () => t.db.query(`SELECT * FROM labor_entries WHERE id IN ($1, $2) ORDER BY id`, [mine.id, theirs.id]).then((r) => r.rows);
    const before = await snapshot();
    const res = await operator
      .post(`/admin/api/resources/labor_entries/records/${mine.id}/edit`)
      .field('id', String(theirs.id))
      .field('version', String(mine.version))
      .field('reason', 'x is mine');
    expect(res.status).toBe(400);
    expect(res.body.record.errors.id.message).toMatch(new RegExp(`for record #${mine.id}; the form names #${theirs.id}`));
    expect(await snapshot()).toEqual(before);
  });
});

describe('fields no form may set', () => {
  let admin: TestAgent;
  beforeAll(async () => {
    admin = await t.signIn('admin');
  });

  /** A well-formed value for the column that differs from what the record holds. */
  function otherValue(model: ModelStatic<Model>, field: string, current: unknown): string | null {
    const key = (model.getAttributes()[field]?.type as { key?: string } | undefined)?.key;
    switch (key) {
      case 'INTEGER':
      case 'BIGINT':
        return String(Number(current ?? 0) + 1);
      case 'DECIMAL':
        return String(Number(current ?? 0) + 1.5);
      case 'BOOLEAN':
        return current === true ? 'false' : 'true';
      case 'DATE':
        return '2001-02-03T04:05:06.000Z';
      case 'DATEONLY':
        return '2001-02-03';
      case 'STRING':
      case 'TEXT':
        return `${String(current ?? '')}x`;
      default:
        return null;
    }
  }

  it.each(Object.keys(RESOURCE_RULES).filter((id) => !['approvals', 'audit_logs', 'mail_outbox'].includes(id)))(
    '%s: a valid value for any column outside the allow-list (keys, bookkeeping, derived, workflow-owned) is refused on its field; nothing is written',
    async (table) => {
      const model = modelOf(table);
      // Users: the test administrator, whose sign-in time signing in alone writes.
      const id = table === 'users' ? t.users.admin.id : rowOf[table as FloorTable];
      const row = await one<Record<string, unknown>>(`SELECT * FROM ${table} WHERE id = $1`, [id]);
      const tried: string[] = [];
      for (const [field, attribute] of Object.entries(model.getAttributes())) {
        const stored = (attribute.type as { key?: string }).key !== 'VIRTUAL';
        if (!stored || isWritableField(table as ResourceId, field) || field === 'id' || field === 'version') continue;
        if ((attribute as { type: { constructor: { name: string } } }).type.constructor.name === 'VIRTUAL') continue;
        const value = otherValue(model, field, row[field]);
        if (value === null) continue;
        const before = await one(`SELECT * FROM ${table} WHERE id = $1`, [row.id]);
        const res = await admin.post(`/admin/api/resources/${table}/records/${row.id}/edit`).field('version', String(row.version)).field(field, value);
        expect({ field, status: res.status, refused: Boolean(res.body.record?.errors?.[field]?.message) }).toEqual({ field, status: 400, refused: true });
        expect(await one(`SELECT * FROM ${table} WHERE id = $1`, [row.id])).toEqual(before);
        tried.push(field);
      }
      // The bookkeeping every table has, and for users the sign-in time that signing in alone writes.
      expect(tried).toEqual(expect.arrayContaining(table === 'users' ? ['created_at', 'updated_at', 'last_login_at'] : ['created_at', 'updated_at']));
    },
  );
});

describe('optimistic locking cannot be skipped', () => {
  it('an edit without a version, or with a malformed one, is refused on the version field and writes nothing', async () => {
    const admin = await t.signIn('admin');
    const customer = await one<{ id: number; name: string; version: number }>(`SELECT id, name, version FROM customers WHERE id = $1`, [
      floor.customers.aero.id,
    ]);
    for (const version of [undefined, '', 'abc', '1.5', '-1x']) {
      let request = admin.post(`/admin/api/resources/customers/records/${customer.id}/edit`).field('name', 'Lost update');
      if (version !== undefined) request = request.field('version', version);
      const res = await request;
      expect({ version, status: res.status, message: res.body.record.errors.version?.message }).toEqual({
        version,
        status: 400,
        message: expect.stringMatching(/which version/),
      });
    }
    expect(await one(`SELECT name, version FROM customers WHERE id = $1`, [customer.id])).toEqual({ name: customer.name, version: customer.version });
  });
});

describe('refusals carry their status for API callers', () => {
  it('a delete refused (in use, by role) answers 409 or 403, not 200; the panel’s own page still gets its message', async () => {
    const engineer = await t.signIn('engineer');
    const viewer = await t.signIn('viewer');
    // The bracket's customer.
    const used = floor.customers.aero;
    const inUse = await engineer.post(`/admin/api/resources/customers/records/${used.id}/delete`);
    expect(inUse.status).toBe(409);
    expect(inUse.body.notice).toMatchObject({ type: 'error', message: expect.stringMatching(/in use|still used|referenced/i) });
    const byRole = await viewer.post(`/admin/api/resources/customers/records/${used.id}/delete`);
    expect(byRole.status).toBe(403);
    const bulk = await engineer.post(`/admin/api/resources/customers/bulk/bulkDelete?recordIds=${used.id}`);
    expect(bulk.status).toBe(409);
    const fromPanel = await engineer
      .post(`/admin/api/resources/customers/records/${used.id}/delete`)
      .set('Sec-Fetch-Site', 'same-origin')
      .set('Sec-Fetch-Mode', 'cors');
    expect(fromPanel.status).toBe(200);
    expect(fromPanel.body.notice.type).toBe('error');
    expect(await one(`SELECT count(*)::int AS n FROM customers WHERE id = $1`, [used.id])).toEqual({ n: 1 });
  });
});
