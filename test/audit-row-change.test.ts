import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * What the audit trigger writes, row for row, whatever way it finds the changed fields (one
 * INSERT per change since migration 20261208000200): the rows of a change are consecutive, in
 * field-name order, under one change id, without bookkeeping columns or unchanged fields.
 */

let db: TestDatabase;

interface Row {
  id: string;
  change_id: string;
  action: string;
  field_name: string;
  old_value: string | null;
  new_value: string | null;
  approval_id: number | null;
  request_id: string | null;
}

async function rowsOf(table: string, id: number, action: string): Promise<Row[]> {
  return (
    await db.query<Row>(
      `SELECT id::text, change_id, action, field_name, old_value, new_value, approval_id, request_id
         FROM audit_logs WHERE table_name = $1 AND record_id = $2 AND action = $3 ORDER BY id`,
      [table, String(id), action],
    )
  ).rows;
}

function consecutive(rows: Row[]): boolean {
  return rows.every((r, i) => i === 0 || BigInt(r.id) === BigInt(rows[i - 1]!.id) + 1n);
}

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('audit_row_change', () => {
  it('a create: one row per field set, in field-name order, consecutive ids, one change id', async () => {
    const { id } = (
      await db.query<{ id: number }>(
        `INSERT INTO customers (code, name, phone, email) VALUES ('ROWCHG1', 'Row Change One', '+1 555 0101', 'a@b.example') RETURNING id`,
      )
    ).rows[0]!;
    const rows = await rowsOf('customers', id, 'create');
    expect(rows.map((r) => [r.field_name, r.old_value, r.new_value])).toEqual([
      ['active', null, 'true'],
      ['code', null, 'ROWCHG1'],
      ['email', null, 'a@b.example'],
      ['id', null, String(id)],
      ['name', null, 'Row Change One'],
      ['phone', null, '+1 555 0101'],
    ]);
    expect(consecutive(rows)).toBe(true);
    expect(new Set(rows.map((r) => r.change_id)).size).toBe(1);
  });

  it('an update: only the changed fields, never created_at, updated_at or version', async () => {
    const { id } = (await db.query<{ id: number }>(`INSERT INTO customers (code, name) VALUES ('ROWCHG2', 'Row Change Two') RETURNING id`)).rows[0]!;
    await db.query(
      `UPDATE customers SET phone = '+1 555 0202', name = 'Row Change 2', address = NULL, active = true, updated_at = now() + interval '1 minute' WHERE id = $1`,
      [id],
    );
    const rows = await rowsOf('customers', id, 'update');
    expect(rows.map((r) => [r.field_name, r.old_value, r.new_value])).toEqual([
      ['name', 'Row Change Two', 'Row Change 2'],
      ['phone', null, '+1 555 0202'],
    ]);
    expect(consecutive(rows)).toBe(true);
    expect(new Set(rows.map((r) => r.change_id)).size).toBe(1);
  });

  it('an update that changes nothing but bookkeeping writes no row', async () => {
    const { id } = (await db.query<{ id: number }>(`INSERT INTO customers (code, name) VALUES ('ROWCHG3', 'Row Change Three') RETURNING id`)).rows[0]!;
    await db.query(`UPDATE customers SET name = name, updated_at = now() + interval '1 minute' WHERE id = $1`, [id]);
    expect(await rowsOf('customers', id, 'update')).toEqual([]);
  });

  it('a delete: the fields that held a value, in field-name order', async () => {
    const { id } = (
      await db.query<{ id: number }>(`INSERT INTO customers (code, name, email) VALUES ('ROWCHG4', 'Row Change Four', 'c@d.example') RETURNING id`)
    ).rows[0]!;
    await db.query('DELETE FROM customers WHERE id = $1', [id]);
    const rows = await rowsOf('customers', id, 'delete');
    expect(rows.map((r) => [r.field_name, r.old_value, r.new_value])).toEqual([
      ['active', 'true', null],
      ['code', 'ROWCHG4', null],
      ['email', 'c@d.example', null],
      ['id', String(id), null],
      ['name', 'Row Change Four', null],
    ]);
    expect(consecutive(rows)).toBe(true);
  });

  it('a password hash is never copied, and a trigger argument (last_login_at) is skipped', async () => {
    const { id } = (
      await db.query<{ id: number }>(
        `INSERT INTO users (username, email, full_name, role, password_hash) VALUES ('rowchg.user', 'rowchg@test.example', 'Row Change', 'viewer', 'hash-one') RETURNING id`,
      )
    ).rows[0]!;
    const created = await rowsOf('users', id, 'create');
    expect(created.find((r) => r.field_name === 'password')).toMatchObject({ old_value: null, new_value: '(new password set)' });
    expect(created.map((r) => r.field_name)).not.toContain('password_hash');
    // The owner may record a sign-in (as users_record_sign_in does); the sign-in time is not an edit.
    await db.query(`UPDATE users SET password_hash = 'hash-two', full_name = 'Row Changed', last_login_at = now() WHERE id = $1`, [id]);
    expect((await rowsOf('users', id, 'update')).map((r) => [r.field_name, r.old_value, r.new_value])).toEqual([
      ['full_name', 'Row Change', 'Row Changed'],
      ['password', '(previous password)', '(new password set)'],
    ]);
  });

  it('nexus.approval_id cites nothing unless it names an approved request being applied', async () => {
    const { id } = (await db.query<{ id: number }>(`INSERT INTO customers (code, name) VALUES ('ROWCHG5', 'Row Change Five') RETURNING id`)).rows[0]!;
    for (const [setting, name] of [
      ['', 'Empty setting'],
      ['2147480000', 'No such request'],
      ['not-a-number', 'Not a number'],
    ] as const) {
      await db.query(
        `START TRANSACTION;
         SELECT set_config('nexus.approval_id', '${setting}', true);
         UPDATE customers SET name = '${name}' WHERE id = ${id};
         COMMIT`,
      );
    }
    const rows = await rowsOf('customers', id, 'update');
    expect(rows.map((r) => [r.new_value, r.approval_id])).toEqual([
      ['Empty setting', null],
      ['No such request', null],
      ['Not a number', null],
    ]);
  });
});
