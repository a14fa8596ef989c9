import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { buildFloor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let admin: TestAgent;
const ids: Record<string, number> = {};
let partNumber: string;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  const res = await t.db.query(sql, params);
  return res.rows[0] as T;
}

async function count(table: string): Promise<number> {
  return (await one<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).n;
}

function post(url: string, fields: Record<string, string | number | boolean | null>) {
  let req = admin.post(url);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v === null ? '' : String(v));
  return req;
}

beforeAll(async () => {
  t = await createTestApp();
  const floor = await buildFloor(t.db);
  admin = await t.signIn('admin');
  ids.customer = floor.customers.hydro.id;
  ids.part = floor.parts.manifold.id;
  ids.otherPart = floor.parts.bracket.id;
  ids.releasedRevision = floor.revisions.manifoldB.id;
  ids.draftRevision = floor.revisions.manifoldC.id;
  ids.otherRevision = floor.revisions.bracketA.id;
  ids.workCenter = floor.centers.MILL.id;
  ids.processStep = (await one<{ id: number }>(`SELECT id FROM process_steps WHERE revision_id = $1 ORDER BY step_number LIMIT 1`, [ids.draftRevision])).id;
  ids.workOrder = floor.workOrders.running.id;
  ids.draftTraveler = floor.draft.id;
  ids.travelerStep = floor.draft.steps[10]!;
  partNumber = floor.parts.manifold.number;
  ids.adminUser = t.users.admin.id;
  ids.operatorUser = t.users.operator.id;
});

afterAll(async () => {
  await t.close();
});

interface CrudCase {
  resource: string;
  create: () => Record<string, string | number | boolean | null>;
  edit: Record<string, string | number | boolean | null>;
  /** Column values the database must hold after the edit (when they differ from the form's text). */
  expectAfterEdit?: Record<string, unknown>;
  deletable?: boolean;
}

const CASES: CrudCase[] = [
  { resource: 'customers', create: () => ({ code: 'acme', name: 'Acme Tooling', email: 'buyer@acme.example' }), edit: { name: 'Acme Tooling Co.' } },
  { resource: 'work_centers', create: () => ({ code: 'GRIND', name: 'Surface grinding' }), edit: { description: 'Okamoto ACC-63' } },
  {
    resource: 'parts',
    create: () => ({ part_number: 'PN-9000', description: 'Test plate', customer_id: ids.customer!, unit_of_measure: 'EA' }),
    edit: { description: 'Test plate, 6061' },
  },
  { resource: 'revisions', create: () => ({ part_id: ids.part!, revision_code: 'D', status: 'draft' }), edit: { notes: 'ECO-400' } },
  {
    resource: 'process_steps',
    create: () => ({ revision_id: ids.draftRevision!, step_number: 70, work_center_id: ids.workCenter!, operation: 'Pressure test', estimated_hours: '0.5' }),
    edit: { estimated_hours: '0.75' },
    expectAfterEdit: { estimated_hours: 0.75 },
  },
  {
    resource: 'sub_steps',
    create: () => ({
      process_step_id: ids.processStep!,
      sequence: 9,
      description: 'Leak rate',
      requires_measurement: true,
      unit: 'ml/min',
      lower_limit: 0,
      upper_limit: '0.5',
    }),
    edit: { upper_limit: '0.4' },
    expectAfterEdit: { upper_limit: 0.4 },
  },
  {
    resource: 'work_orders',
    create: () => ({
      number: 'wo-99001',
      customer_id: ids.customer!,
      part_id: ids.part!,
      quantity: 5,
      due_date: '2026-12-31',
      priority: 'normal',
      status: 'open',
    }),
    edit: { quantity: '7' },
    expectAfterEdit: { quantity: 7 },
  },
  {
    resource: 'traveler_steps',
    create: () => ({ traveler_id: ids.draftTraveler!, step_number: 99, work_center_id: ids.workCenter!, operation: 'Extra inspection' }),
    edit: { instructions: 'Use the CMM program 2210-X' },
  },
  {
    resource: 'traveler_sub_steps',
    create: () => ({ traveler_step_id: ids.travelerStep!, sequence: 9, description: 'Check heat number' }),
    edit: { description: 'Check heat number against cert' },
  },
  {
    resource: 'manual_steps',
    create: () => ({ traveler_id: ids.draftTraveler!, after_step_number: 10, operation: 'Rework', reason: 'Scratch found on face A' }),
    edit: { instructions: 'Stone the face, then re-inspect' },
  },
  {
    resource: 'labor_entries',
    create: () => ({
      user_id: ids.operatorUser!,
      traveler_id: ids.draftTraveler!,
      started_at: '2026-11-02T07:00:00.000Z',
      ended_at: '2026-11-02T09:15:00.000Z',
      entry_type: 'clock',
    }),
    edit: { ended_at: '2026-11-02T10:00:00.000Z' },
    expectAfterEdit: { hours: 3 },
  },
  {
    resource: 'users',
    create: () => ({ username: 'jdoe', full_name: 'Jane Doe', email: 'JDoe@Shop.example', role: 'viewer', password: 'a-very-long-password-1' }),
    // A role change needs another administrator's approval (test/approval-workflow.test.ts).
    edit: { full_name: 'Jane Doe-Smith' },
    deletable: false,
  },
];

describe.each(CASES)('$resource through the panel API', ({ resource, create, edit, expectAfterEdit, deletable = true }) => {
  it('creates, shows, lists, edits and deletes (users: the delete is refused), and the database holds exactly that', async () => {
    const api = `/admin/api/resources/${resource}`;
    const before = await count(resource);

    const created = await post(`${api}/actions/new`, create());
    expect(created.status).toBe(200);
    expect(created.body.record.errors).toEqual({});
    const id = created.body.record.id as string;
    expect(await count(resource)).toBe(before + 1);

    const shown = await admin.get(`${api}/records/${id}/show`);
    expect(shown.status).toBe(200);
    expect(String(shown.body.record.params.id)).toBe(String(id));

    const listed = await admin.get(`${api}/actions/list?perPage=500`);
    expect(listed.status).toBe(200);
    expect(listed.body.records.map((r: { id: string }) => String(r.id))).toContain(String(id));

    const version = shown.body.record.params.version as number;
    const edited = await post(`${api}/records/${id}/edit`, { ...edit, version });
    expect(edited.status).toBe(200);
    expect(edited.body.record.errors).toEqual({});
    const row = await one<Record<string, unknown>>(`SELECT * FROM ${resource} WHERE id = $1`, [id]);
    const expected = expectAfterEdit ?? edit;
    for (const [key, value] of Object.entries(expected)) expect(row[key]).toEqual(value);
    expect(row.version).toBe(version + 1);

    // Saving again with the version the form was loaded with would undo the edit just made.
    const stale = await post(`${api}/records/${id}/edit`, { ...edit, version });
    expect(stale.body.notice?.type).toBe('error');
    expect(stale.body.notice?.message).toMatch(/changed by someone else/);
    expect((await one<{ version: number }>(`SELECT version FROM ${resource} WHERE id = $1`, [id])).version).toBe(version + 1);

    const deleted = await admin.post(`${api}/records/${id}/delete`);
    expect({ status: deleted.status, rows: await count(resource) }).toEqual(deletable ? { status: 200, rows: before } : { status: 403, rows: before + 1 });
    expect(deleted.body.notice?.type).toBe(deletable ? 'success' : 'error');
  });
});

describe('bad input gets a reason on the field and writes nothing', () => {
  async function expectRefused(resource: string, fields: Record<string, string | number | boolean | null>, field: string, reason: RegExp) {
    const before = await count(resource);
    const res = await post(`/admin/api/resources/${resource}/actions/new`, fields);
    // A caller outside the panel's own pages gets the real status; the body has the same reasons.
    expect(res.status).toBe(400);
    expect(res.body.record.errors).toHaveProperty([field, 'message'], expect.stringMatching(reason));
    expect(await count(resource)).toBe(before);
  }
  const workOrder = () => ({ number: 'WO-77001', customer_id: ids.customer!, part_id: ids.part!, quantity: 5, priority: 'normal', status: 'open' });

  it('wrong types', async () => {
    await expectRefused('work_orders', { ...workOrder(), quantity: 'twelve' }, 'quantity', /whole number/);
    await expectRefused('work_orders', { ...workOrder(), quantity: '1.5' }, 'quantity', /whole number/);
    await expectRefused('work_orders', { ...workOrder(), due_date: 'next friday' }, 'due_date', /date/);
    await expectRefused('work_orders', { ...workOrder(), customer_id: 'ACME' }, 'customer_id', /whole number/);
    await expectRefused(
      'process_steps',
      { revision_id: ids.draftRevision!, step_number: 80, work_center_id: ids.workCenter!, operation: 'X', estimated_hours: 'lots' },
      'estimated_hours',
      /number/,
    );
    await expectRefused(
      'process_steps',
      { revision_id: ids.draftRevision!, step_number: 80, work_center_id: ids.workCenter!, operation: 'X', is_parallel: 'maybe' },
      'is_parallel',
      /yes or no/,
    );
    await expectRefused(
      'labor_entries',
      { user_id: ids.operatorUser!, traveler_id: ids.draftTraveler!, started_at: 'yesterday-ish', entry_type: 'clock' },
      'started_at',
      /date and time/,
    );
  });

  it('missing required fields', async () => {
    // An empty work order number is not missing: the next one of its pattern is given (record-numbers.test.ts).
    await expectRefused('work_orders', { ...workOrder(), customer_id: '' }, 'customer_id', /required/);
    await expectRefused('work_orders', { ...workOrder(), quantity: '' }, 'quantity', /required/);
    await expectRefused('parts', { part_number: 'PN-1', description: '   ' }, 'description', /blank|required/);
    await expectRefused(
      'manual_steps',
      { traveler_id: ids.draftTraveler!, after_step_number: 10, operation: 'Rework', reason: '', added_by_id: ids.adminUser! },
      'reason',
      /reason/i,
    );
  });

  it('over-long strings', async () => {
    await expectRefused('parts', { part_number: `P${'9'.repeat(50)}`, description: 'Too long a number' }, 'part_number', /at most 50/);
    await expectRefused('customers', { code: 'LONGNAME', name: 'x'.repeat(201) }, 'name', /at most 200/);
  });

  it('values outside the rules', async () => {
    await expectRefused('work_orders', { ...workOrder(), quantity: 0 }, 'quantity', /greater than 0/);
    await expectRefused('work_orders', { ...workOrder(), status: 'shipped' }, 'status', /one of/);
    await expectRefused(
      'sub_steps',
      { process_step_id: ids.processStep!, sequence: 8, description: 'Bore', requires_measurement: true, lower_limit: 5, upper_limit: 4 },
      'upper_limit',
      /lower limit|upper limit/i,
    );
    await expectRefused(
      'labor_entries',
      {
        user_id: ids.operatorUser!,
        traveler_id: ids.draftTraveler!,
        started_at: '2026-11-02T10:00:00Z',
        ended_at: '2026-11-02T09:00:00Z',
        entry_type: 'clock',
      },
      'ended_at',
      /after/,
    );
  });

  it('rules only the database can check come back on the right field', async () => {
    await expectRefused('parts', { part_number: partNumber, description: 'Duplicate' }, 'part_number', /already in use/);
    await expectRefused(
      'process_steps',
      { revision_id: ids.draftRevision!, step_number: 10, work_center_id: ids.workCenter!, operation: 'Twice' },
      'step_number',
      /already has a step with this number/,
    );
    // Travelers are made from work orders; a draft's revision can be edited, but only to one of its part.
    const shown = await admin.get(`/admin/api/resources/travelers/records/${ids.draftTraveler}/show`);
    const edit = await admin
      .post(`/admin/api/resources/travelers/records/${ids.draftTraveler}/edit`)
      .field('version', shown.body.record.params.version)
      .field('revision_id', String(ids.releasedRevision));
    expect(edit.body.record.errors).toHaveProperty(['revision_id', 'message'], expect.stringMatching(/belong to the selected part/));
    expect(await one(`SELECT revision_id FROM travelers WHERE id = $1`, [ids.draftTraveler])).toEqual({ revision_id: shown.body.record.params.revision_id });
    await expectRefused('parts', { part_number: 'PN-77', description: 'Orphan', customer_id: 999999 }, 'customer_id', /No customers? record with id 999999/);
  });

  it('deleting a record still in use is refused with a reason and deletes nothing', async () => {
    const res = await admin.post(`/admin/api/resources/customers/records/${ids.customer}/delete`);
    expect(res.body.notice.type).toBe('error');
    expect(res.body.notice.message).toMatch(/still used by/);
    expect(await one(`SELECT count(*)::int AS n FROM customers WHERE id = $1`, [ids.customer])).toEqual({ n: 1 });
  });

  it('a bulk delete that hits one record in use deletes none of them', async () => {
    const spare = await post('/admin/api/resources/customers/actions/new', { code: 'SPARE', name: 'Spare customer' });
    const spareId = spare.body.record.id as string;
    const before = await count('customers');
    const res = await admin.post(`/admin/api/resources/customers/bulk/bulkDelete?recordIds=${spareId},${ids.customer}`);
    expect(res.body.notice.type).toBe('error');
    expect(await count('customers')).toBe(before);
    const ok = await admin.post(`/admin/api/resources/customers/bulk/bulkDelete?recordIds=${spareId}`);
    expect(ok.body.notice.type).toBe('success');
    expect(await count('customers')).toBe(before - 1);
  });

  it('the server keeps serving after bad input', async () => {
    expect((await admin.get('/admin/api/resources/parts/actions/list')).status).toBe(200);
  });
});

describe('users are never deleted', () => {
  it('refuses a delete of a user even by raw model call, and the database keeps the row', async () => {
    const { User } = await import('../src/models/index.js');
    const { inTransaction } = await import('../src/db/unit-of-work.js');
    const { systemActor } = await import('../src/audit/actor.js');
    await expect(
      inTransaction(t.db.sequelize, systemActor('test'), async (options) => {
        const user = await User.findByPk(t.users.viewer.id, { transaction: options.transaction });
        await user!.destroy(options);
      }),
    ).rejects.toThrow(/never deleted/);
    expect(await one(`SELECT count(*)::int AS n FROM users WHERE id = $1`, [t.users.viewer.id])).toEqual({ n: 1 });
  });
});
