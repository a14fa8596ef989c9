import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { RECORDED_PARENT_KEYS } from '../src/audit/audit-record-months.js';
import { historyChildren, type ChildSpec } from '../src/audit/record-family.js';
import { waitFor } from './support/app-process.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * audit_record_months, where History looks for a record's changes: the sealer records the month
 * of every change it seals, under the record and, for a parent key, under the parent; a seal
 * that did not record (its trigger off) is caught up by the next; the app reads it, never writes.
 */

let db: TestDatabase;
/** The first day of the UTC month two months before the database's current one. */
let twoMonthsAgo: string;

async function rows<R extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]> {
  return (await db.query<R>(sql, params)).rows;
}

async function auditRow(at: string, action: string, table: string | null, id: string | null, field: string | null, value: string | null) {
  await db.query(
    `INSERT INTO audit_logs (occurred_at, change_id, action, table_name, record_id, field_name, new_value, actor_kind, actor_username)
     VALUES ($1, gen_random_uuid(), $2, $3, $4, $5, $6, 'system', 'system:test:import')`,
    [at, action, table, id, field, value],
  );
}

/**
 * Seals, on a connection with `settings`, until the row of `recordId` is chained (the horizon
 * passes it once transactions of other test files that were open when it was written end).
 */
async function sealWith(settings: string, recordId: string): Promise<void> {
  await waitFor(
    `the row of ${recordId} to be chained`,
    async () => {
      await db.query(`${settings}; SELECT * FROM audit_seal()`);
      const [chained] = await rows<{ n: number }>(
        'SELECT count(*)::int AS n FROM audit_chain c JOIN audit_logs a ON a.id = c.audit_id AND a.occurred_at = c.audit_occurred_at WHERE a.record_id = $1',
        [recordId],
      );
      return chained!.n > 0 ? true : undefined;
    },
    60_000,
  );
}

const recorded = () =>
  rows<{ table_name: string; key_field: string; key_value: string; month: string }>(
    `SELECT table_name, key_field, key_value, to_char(month, 'YYYY-MM-DD') AS month FROM audit_record_months
      WHERE key_value LIKE '77%' ORDER BY 1, 2, 3, 4`,
  );

beforeAll(async () => {
  db = await createTestDatabase();
  [{ m: twoMonthsAgo }] = (await rows<{ m: string }>(
    `SELECT to_char(date_trunc('month', now() AT TIME ZONE 'UTC') - interval '2 months', 'YYYY-MM-DD') AS m`,
  )) as [{ m: string }];
  await db.query(`SET TIME ZONE 'UTC'; SELECT ensure_audit_log_partitions('${twoMonthsAgo}'::date, 2)`);
});

afterAll(async () => {
  await db.drop();
});

describe('the months of the audit trail', () => {
  it('are recorded by the seal: a change under its record, a parent key also under the parent, by UTC month; events not', async () => {
    // Half an hour into the month in UTC: the month before in a zone west of it.
    const at = `${twoMonthsAgo}T00:30:00Z`;
    await auditRow(at, 'update', 'customers', '7701', 'name', 'Acme');
    await auditRow(at, 'create', 'traveler_steps', '7702', 'traveler_id', '7703');
    await auditRow(at, 'update', 'traveler_sub_steps', '7709', 'traveler_step_id', '7702');
    await auditRow(at, 'update', 'travelers', '7704', 'part_id', '7705');
    await auditRow(at, 'login', 'users', '7706', null, null);
    await sealWith(`SET TIME ZONE 'America/New_York'`, '7706');
    expect(await recorded()).toEqual([
      { table_name: 'customers', key_field: 'id', key_value: '7701', month: twoMonthsAgo },
      { table_name: 'traveler_steps', key_field: 'id', key_value: '7702', month: twoMonthsAgo },
      { table_name: 'traveler_steps', key_field: 'traveler_id', key_value: '7703', month: twoMonthsAgo },
      { table_name: 'traveler_sub_steps', key_field: 'id', key_value: '7709', month: twoMonthsAgo },
      { table_name: 'traveler_sub_steps', key_field: 'traveler_step_id', key_value: '7702', month: twoMonthsAgo },
      { table_name: 'travelers', key_field: 'id', key_value: '7704', month: twoMonthsAgo },
    ]);
    const [progress] = await rows('SELECT txid_horizon::text AS horizon, recorded_at AS at FROM audit_record_months_progress');
    const [seal] = await rows('SELECT txid_horizon::text AS horizon, sealed_at AS at FROM audit_seals ORDER BY id DESC LIMIT 1');
    expect(progress).toEqual(seal);
  });

  it('sealed without being recorded (the trigger off) are recorded by the next seal, and until then are not counted as recorded', async () => {
    const [before] = await rows('SELECT txid_horizon::text AS horizon, recorded_at AS at FROM audit_record_months_progress');
    await auditRow(`${twoMonthsAgo}T12:00:00Z`, 'update', 'parts', '7707', 'description', 'Bracket');
    await sealWith('SET session_replication_role = replica', '7707');
    expect(await rows('SELECT txid_horizon::text AS horizon, recorded_at AS at FROM audit_record_months_progress')).toEqual([before]);
    expect((await recorded()).map((r) => r.key_value)).not.toContain('7707');

    await auditRow(`${twoMonthsAgo}T13:00:00Z`, 'update', 'parts', '7708', 'description', 'Shaft');
    await sealAllAuditRows(db.sequelize);
    expect((await recorded()).filter((r) => r.table_name === 'parts')).toEqual([
      { table_name: 'parts', key_field: 'id', key_value: '7707', month: twoMonthsAgo },
      { table_name: 'parts', key_field: 'id', key_value: '7708', month: twoMonthsAgo },
    ]);
  });

  it('are recorded under every parent key by which History finds a family’s children', () => {
    const keys = (specs: ChildSpec[]): string[] => specs.flatMap((spec) => [spec.key, ...keys(spec.children)]);
    expect([...new Set(keys(historyChildren('travelers')))].sort()).toEqual(['traveler_id', 'traveler_step_id']);
    expect([...RECORDED_PARENT_KEYS].sort()).toEqual(['traveler_id', 'traveler_step_id']);
  });

  it('are read by the app, and written by the seal alone', async () => {
    const { app } = await db.roles();
    const privileges = await rows(
      `SELECT t AS table, has_table_privilege($1, t, 'SELECT') AS reads,
              has_table_privilege($1, t, 'INSERT') OR has_table_privilege($1, t, 'UPDATE') OR has_table_privilege($1, t, 'DELETE') AS writes
         FROM unnest(ARRAY['audit_record_months', 'audit_record_months_progress']) t ORDER BY 1`,
      [app],
    );
    expect(privileges).toEqual([
      { table: 'audit_record_months', reads: true, writes: false },
      { table: 'audit_record_months_progress', reads: true, writes: false },
    ]);
    const functions = await rows(
      `SELECT p::text AS fn, has_function_privilege($1, p, 'EXECUTE') AS runs
         FROM unnest(ARRAY['audit_record_months_add(xid8, xid8)', 'audit_record_months_on_seal()']::regprocedure[]) p ORDER BY 1`,
      [app],
    );
    expect(functions).toEqual([
      { fn: 'audit_record_months_add(xid8,xid8)', runs: false },
      { fn: 'audit_record_months_on_seal()', runs: false },
    ]);
  });
});
