import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Model, ModelAttributeColumnOptions, ModelStatic } from 'sequelize';
import type TestAgent from 'supertest/lib/agent.js';
import { ALL_MODELS } from '../src/models/index.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { floorRows, type FloorTable } from './support/floor-rows.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { isWritableField } from '../src/auth/field-rules.js';
import type { ResourceId } from '../src/auth/access-rules.js';
import { policyOf } from '../src/tables/index.js';

/**
 * Hostile and careless input on every resource's new and edit, and in list parameters, over
 * real HTTP: each is refused with a 4xx that names the field and the reason, nothing is
 * written (rows, versions and audit rows stay as they were), and the server keeps serving.
 */
let t: TestApp;
let admin: TestAgent;
let floor: Floor;
/** The record each resource's edit is tried on. */
let editTarget: Record<FloorTable, number>;

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  editTarget = floorRows(floor);
  admin = await t.signIn('admin');
});
afterAll(async () => {
  await t.close();
});

// Resources an administrator may create and edit through the generic forms.
const RESOURCES: FloorTable[] = [
  'customers',
  'work_centers',
  'parts',
  'revisions',
  'process_steps',
  'sub_steps',
  'work_orders',
  'traveler_steps',
  'traveler_sub_steps',
  'manual_steps',
  'labor_entries',
  'users',
];
const SKIP = new Set(['id', 'version', 'created_at', 'updated_at', 'password_hash', 'hours', 'out_of_limits']);

function modelOf(table: string): ModelStatic<Model> {
  return ALL_MODELS.find((m) => m.getTableName() === table) as unknown as ModelStatic<Model>;
}

/** Wrong values for a column of this type, each with the words its refusal must contain. */
function badValues(attribute: ModelAttributeColumnOptions): Array<[string, RegExp]> {
  const type = attribute.type as unknown as { key?: string; options?: { length?: number }; _length?: number };
  switch (type.key) {
    case 'INTEGER':
    case 'BIGINT':
      return [
        ['twelve', /whole number/],
        ['1.5', /whole number/],
        ['99999999999', /whole number/],
        ['1; DROP TABLE users', /whole number/],
      ];
    case 'DECIMAL':
      return [
        ['abc', /number/],
        ['1e400', /number/],
        ["0' OR '1'='1", /number/],
      ];
    case 'BOOLEAN':
      return [['maybe', /yes or no/]];
    case 'DATE':
      return [['next friday', /date/]];
    case 'DATEONLY':
      return [
        ['31/12/2026', /YYYY-MM-DD/],
        ['2026-02-30', /YYYY-MM-DD/],
      ];
    case 'STRING':
    case 'TEXT': {
      // A STRING column holds its declared length; a TEXT field takes at most 20,000 characters.
      const max = type.key === 'STRING' ? Number(type.options?.length ?? type._length) : 20_000;
      // A NUL is refused by the request gate before any model sees it, naming the field.
      return [
        ['x'.repeat(max + 1), /at most/],
        ['a\u0000b', /NUL character/],
        ['\u001b[1m', /control character/],
      ];
    }
    default:
      return [];
  }
}

async function snapshot(table: string): Promise<{ rows: number; audit: number; digest: string }> {
  const rows = (
    await t.db.query<{ n: number; digest: string }>(
      `SELECT count(*)::int AS n, coalesce(md5(string_agg(x::text, '|' ORDER BY x.id)), '') AS digest FROM ${table} x`,
    )
  ).rows[0]!;
  const audit = (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
  return { rows: rows.n, audit, digest: rows.digest };
}

describe.each(RESOURCES)('%s: new and edit refuse bad values on the field', (table) => {
  it('every column, every kind of bad value: 400 with the reason, nothing written', async () => {
    const model = modelOf(table);
    const id = editTarget[table];
    const version = (await admin.get(`/admin/api/resources/${table}/records/${id}/show`)).body.record.params.version;
    const before = await snapshot(table);
    let tried = 0;
    for (const [field, attribute] of Object.entries(model.getAttributes() as Record<string, ModelAttributeColumnOptions>)) {
      if (SKIP.has(field)) continue;
      const workflow: Partial<Record<string, string>> = policyOf(model).workflowFields ?? {};
      for (const [value, reason] of badValues(attribute)) {
        tried += 1;
        const created = await admin.post(`/admin/api/resources/${table}/actions/new`).field(field, value);
        const edited = await admin.post(`/admin/api/resources/${table}/records/${id}/edit`).field('version', String(version)).field(field, value);
        for (const [what, res] of [
          ['new', created],
          ['edit', edited],
        ] as const) {
          const message = res.body.record?.errors?.[field]?.message ?? (res.body.field === field ? res.body.error : '');
          // A field only a workflow sets is refused as such, and one no form may set (a key the
          // database or a workflow fills) as not settable, before its value is even looked at.
          const expected = field in workflow ? /./ : isWritableField(table as ResourceId, field) ? reason : /cannot be set here/;
          expect({
            table,
            field,
            what,
            value: value.slice(0, 30),
            status: res.status,
            message: expected.test(message) ? 'ok' : JSON.stringify(res.body.record?.errors ?? res.body).slice(0, 300),
          }).toEqual({
            table,
            field,
            what,
            value: value.slice(0, 30),
            status: 400,
            message: 'ok',
          });
        }
      }
    }
    expect(tried).toBeGreaterThan(0);
    expect(await snapshot(table)).toEqual(before);
  });
});

describe('list parameters', () => {
  const list = (resource: string, query: Record<string, string>) => admin.get(`/admin/api/resources/${resource}/actions/list`).query(query);

  it.each([
    ['travelers', { sortBy: 'id; DROP TABLE users' }, 'sortBy'],
    ['travelers', { sortBy: 'password_hash' }, 'sortBy'],
    ['travelers', { direction: 'desc; --' }, 'direction'],
    ['travelers', { 'filters.status': "' OR 1=1 --" }, 'filters.status'],
    ['travelers', { 'filters.quantity': '1 OR 1=1' }, 'filters.quantity'],
    ['travelers', { 'filters.work_order_id': "1'; DELETE FROM travelers; --" }, 'filters.work_order_id'],
    ['travelers', { 'filters.due_date~~from': 'yesterday-ish' }, 'filters.due_date~~from'],
    ['travelers', { 'filters.secret_column': '1' }, 'filters.secret_column'],
    ['travelers', { page: '-1' }, 'page'],
    ['travelers', { perPage: '100000' }, 'perPage'],
    ['customers', { 'filters.name': 'x'.repeat(500) }, 'filters.name'],
    ['customers', { 'filters.name': 'a\u0000b' }, 'filters.name'],
    ['audit_logs', { sortBy: 'occurred_at desc, (SELECT 1)' }, 'sortBy'],
  ])('%s refuses %j with 400 naming the parameter', async (resource, query, parameter) => {
    const res = await list(resource, query as Record<string, string>);
    expect({ status: res.status, parameter: res.body.parameter }).toEqual({ status: 400, parameter });
    expect(res.body.error).toEqual(expect.any(String));
  });

  it('text that looks like SQL is just text to search for: nothing found, nothing run', async () => {
    const travelers = async () => (await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM travelers')).rows[0]!.n;
    // The floor's six.
    expect(await travelers()).toBe(6);
    const res = await list('travelers', { 'filters.number': "' OR '1'='1" });
    expect(res.status).toBe(200);
    expect(res.body.records).toEqual([]);
    expect(await travelers()).toBe(6);
    expect((await t.db.query("SELECT to_regclass('public.users') AS users")).rows[0]).toEqual({ users: 'users' });
  });

  it('good parameters still work, and the server kept serving through all of the above', async () => {
    const res = await list('travelers', { sortBy: 'due_date', direction: 'asc', page: '1', perPage: '5', 'filters.status': 'released' });
    expect(res.status).toBe(200);
    // The floor's one released traveler, and none of the others.
    expect(res.body.records.map((r: { params: { number: string; status: string } }) => [r.params.number, r.params.status])).toEqual([
      [floor.released.number, 'released'],
    ]);
    expect((await admin.get('/healthz')).status).toBe(200);
  });
});

describe('HTML and script payloads are stored as text', () => {
  it('a customer named with markup is saved exactly as typed (rendering escapes it: test/browser/escaping.test.ts)', async () => {
    const name = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script>';
    const res = await admin.post('/admin/api/resources/customers/actions/new').field('code', 'XSS1').field('name', name);
    expect(res.status).toBe(200);
    expect((await t.db.query('SELECT name FROM customers WHERE code = $1', ['XSS1'])).rows[0]).toEqual({ name });
  });
});
