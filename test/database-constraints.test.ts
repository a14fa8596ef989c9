import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { actAsTestSystem, createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Raw SQL, as a script or a future service might send it, bypasses every model rule: the
 * database itself must refuse bad rows, with the SQLSTATE that names the kind of rule.
 */
let db: TestDatabase;
let client: pg.Client;
let floor: Floor;
const id: Record<string, number> = {};

beforeAll(async () => {
  db = await createTestDatabase();
  floor = await buildFloor(db);
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await actAsTestSystem(client);
  id.customer = floor.customers.aero.id;
  id.part = floor.parts.manifold.id;
  id.otherPart = floor.parts.bracket.id;
  id.released = floor.revisions.manifoldB.id;
  id.otherRevision = floor.revisions.bracketA.id;
  id.workOrder = floor.workOrders.running.id;
  id.workOrderCustomer = floor.workOrders.running.customerId;
  // A draft, and a traveler in progress: its step 40 pending, step 30 in progress with its check open.
  id.traveler = floor.draft.id;
  id.otherTraveler = floor.running.id;
  id.step = floor.running.steps[40]!;
  id.draftStep = floor.draft.steps[10]!;
  id.openCheck = floor.running.checks[30]![1]!;
  // Clocked in on the running traveler: a second open clock-in is refused.
  id.user = floor.people.operator.id;
  id.center = floor.centers.SAW.id;
});

afterAll(async () => {
  await client.end();
  await db.drop();
});

/** Runs the statement in a savepoint-free transaction that is always rolled back. */
async function sqlstate(sql: string, params: unknown[] = []): Promise<{ code?: string; constraint?: string }> {
  await client.query('BEGIN');
  try {
    await client.query(sql, params);
    return {};
  } catch (error) {
    const e = error as { code?: string; constraint?: string };
    return { code: e.code, constraint: e.constraint };
  } finally {
    await client.query('ROLLBACK');
  }
}

describe('foreign keys (23503)', () => {
  it.each([
    [
      'a part of a customer that does not exist',
      `INSERT INTO parts (part_number, description, customer_id) VALUES ('X-1', 'x', 999999)`,
      'parts_customer_id_fkey',
    ],
    [
      'a traveler whose revision is of another part',
      () =>
        `INSERT INTO travelers (number, work_order_id, customer_id, part_id, revision_id, quantity) VALUES ('T-X1', ${id.workOrder}, ${id.workOrderCustomer}, ${id.part}, ${id.otherRevision}, 1)`,
      'travelers_revision_of_part_fkey',
    ],
    [
      'a traveler for a different part than its work order',
      () =>
        `INSERT INTO travelers (number, work_order_id, customer_id, part_id, revision_id, quantity) VALUES ('T-X2', ${id.workOrder}, ${id.workOrderCustomer}, ${id.otherPart}, ${id.otherRevision}, 1)`,
      'travelers_work_order_fkey',
    ],
    [
      'labor on a step of another traveler',
      () =>
        `INSERT INTO labor_entries (user_id, traveler_id, traveler_step_id, started_at, ended_at) VALUES (${id.user}, ${id.traveler}, ${id.step}, now() - interval '1 hour', now())`,
      'labor_entries_step_of_traveler_fkey',
    ],
    [
      'deleting a customer that parts still use',
      () => `DELETE FROM customers WHERE id = (SELECT customer_id FROM parts WHERE id = ${id.part})`,
      'parts_customer_id_fkey',
    ],
    // Routing, traveler and manual steps all refer to it: whichever key PostgreSQL checks first refuses.
    [
      'deleting a work center that routings use',
      () => `DELETE FROM work_centers WHERE id = ${id.center}`,
      expect.stringMatching(/^(process_steps|traveler_steps|manual_steps)_work_center_id_fkey$/),
    ],
  ])('refuses %s', async (_what, sql, constraint) => {
    const result = await sqlstate(typeof sql === 'function' ? sql() : sql);
    expect(result).toEqual({ code: '23503', constraint });
  });
});

describe('check constraints (23514)', () => {
  it.each([
    ['a zero quantity work order', () => `UPDATE work_orders SET quantity = 0 WHERE id = ${id.workOrder}`, 'work_orders_quantity_positive'],
    ['an unknown traveler status', () => `UPDATE travelers SET status = 'shipped' WHERE id = ${id.otherTraveler}`, 'travelers_status_valid'],
    [
      'a completion time on a traveler that is not completed',
      () => `UPDATE travelers SET completed_at = now() WHERE id = ${id.traveler}`,
      'travelers_completed_has_time',
    ],
    [
      'labor that ends before it starts',
      () => `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at) VALUES (${id.user}, ${id.traveler}, now(), now() - interval '1 hour')`,
      'labor_entries_end_after_start',
    ],
    [
      'a manual labor entry without a reason',
      () =>
        `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type) VALUES (${id.user}, ${id.traveler}, now() - interval '1 hour', now(), 'manual')`,
      'labor_entries_manual_needs_reason',
    ],
    [
      'a check signed without who',
      () => `UPDATE traveler_sub_steps SET completed_at = now() WHERE id = ${id.openCheck}`,
      'traveler_sub_steps_signoff_complete',
    ],
    [
      'spec limits upside down',
      () =>
        `INSERT INTO sub_steps (process_step_id, sequence, description, requires_measurement, lower_limit, upper_limit) SELECT id, 99, 'x', true, 2, 1 FROM process_steps WHERE revision_id = ${floor.revisions.manifoldC.id} LIMIT 1`,
      'sub_steps_limits_ordered',
    ],
    ['an unknown role', () => `UPDATE users SET role = 'superuser' WHERE id = ${floor.people.quality.id}`, 'users_role_valid'],
    ['an email in capitals', () => `UPDATE users SET email = 'Quality@Example.com' WHERE id = ${floor.people.quality.id}`, 'users_email_format'],
    // A revision starts as a draft (a trigger refuses any other start), so these are its release.
    [
      'a released revision without an effective date',
      () => `UPDATE revisions SET status = 'released' WHERE id = ${floor.revisions.screwA.id} AND status = 'draft' AND effective_date IS NULL`,
      'revisions_released_has_effective_date',
    ],
    [
      'an approval decided by its requester',
      () =>
        `INSERT INTO approvals (target_table, target_id, operation, changes, requested_by_id, decided_by_id, status, decided_at, signature_name, signature_meaning, signed_at) VALUES ('travelers', 1, 'update', '{}', ${id.user}, ${id.user}, 'approved', now(), 'Self', 'approved', now())`,
      'approvals_four_eyes',
    ],
    ['a blank part description', `INSERT INTO parts (part_number, description) VALUES ('X-2', '   ')`, 'parts_description_present'],
  ])('refuses %s', async (_what, sql, constraint) => {
    const result = await sqlstate(typeof sql === 'function' ? sql() : sql);
    expect(result).toEqual({ code: '23514', constraint });
  });
});

describe('unique constraints (23505)', () => {
  it.each([
    [
      'a second part with the same number',
      () => `INSERT INTO parts (part_number, description) VALUES ('${floor.parts.manifold.number}', 'dup')`,
      'parts_part_number_key',
    ],
    [
      'a second released revision of a part',
      () => `UPDATE revisions SET status = 'released', effective_date = now() WHERE part_id = ${id.part} AND status = 'draft'`,
      'revisions_one_released_per_part',
    ],
    [
      'a second open clock-in for one operator',
      () => `INSERT INTO labor_entries (user_id, traveler_id, traveler_step_id, started_at) VALUES (${id.user}, ${id.otherTraveler}, ${id.step}, now())`,
      'labor_entries_one_open_per_user',
    ],
    [
      'a reused user name',
      () =>
        `INSERT INTO users (username, email, full_name, role, password_hash) VALUES ('${floor.people.operator.username}', 'other@x.example', 'Other', 'viewer', 'x')`,
      'users_username_key',
    ],
    [
      'two steps with one number on a traveler',
      () =>
        `INSERT INTO traveler_steps (traveler_id, step_number, work_center_id, operation) SELECT traveler_id, step_number, work_center_id, 'dup' FROM traveler_steps WHERE id = ${id.draftStep}`,
      'traveler_steps_traveler_step_key',
    ],
  ])('refuses %s', async (_what, sql, constraint) => {
    const result = await sqlstate(typeof sql === 'function' ? sql() : sql);
    expect(result).toEqual({ code: '23505', constraint });
  });
});

describe('not null (23502)', () => {
  it.each([
    ['a part without a description', `INSERT INTO parts (part_number, description) VALUES ('X-3', NULL)`],
    ['a work order without a customer', () => `INSERT INTO work_orders (number, customer_id, part_id, quantity) VALUES ('WO-X', NULL, ${id.part}, 1)`],
    [
      'a user without a password hash',
      `INSERT INTO users (username, email, full_name, role, password_hash) VALUES ('nohash', 'n@x.example', 'N', 'viewer', NULL)`,
    ],
    [
      'a manual step without a reason',
      () => `INSERT INTO manual_steps (traveler_id, after_step_number, operation, reason, added_by_id) VALUES (${id.traveler}, 1, 'x', NULL, ${id.user})`,
    ],
  ])('refuses %s', async (_what, sql) => {
    const result = await sqlstate(typeof sql === 'function' ? sql() : sql);
    expect(result.code).toBe('23502');
  });
});

describe('users are never deleted', () => {
  it('refuses a DELETE of a user even by raw SQL (NXA03), before any foreign key is consulted', async () => {
    const result = await sqlstate(`DELETE FROM users WHERE id = ${id.user}`);
    expect(result.code).toBe('NXA03');
  });
});

describe('derived values', () => {
  it('computes labor hours from the times and refuses a hand-written value', async () => {
    await client.query('BEGIN');
    try {
      const res = await client.query(
        `INSERT INTO labor_entries (user_id, traveler_id, started_at, ended_at, entry_type, reason)
         VALUES (${id.user}, ${id.traveler}, '2026-01-01T08:00:00Z', '2026-01-01T10:45:00Z', 'manual', 'Paper timesheet') RETURNING hours`,
      );
      expect(Number(res.rows[0].hours)).toBe(2.75);
    } finally {
      await client.query('ROLLBACK');
    }
    const write = await sqlstate(`UPDATE labor_entries SET hours = 1 WHERE id = ${floor.completed.laborEntryIds[0]}`);
    expect(write.code).toBe('428C9');
  });
});
