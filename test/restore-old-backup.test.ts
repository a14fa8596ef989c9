import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ensureAuditPartitions } from '../src/audit/audit-partition.service.js';
import { recordHistory } from '../src/audit/audit-history.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { backupDatabase } from '../src/db/backup/backup.service.js';
import { findPgTools } from '../src/db/backup/pg-tools.js';
import { restoreDatabase, type RestoreResult } from '../src/db/backup/restore.service.js';
import { TEST_ACTOR, createEmptyDatabase, createTestDatabase, type TestDatabase } from './support/test-database.js';
import { sealAllAuditRows } from './support/audit-seal.js';

/**
 * A backup is often restored long after it was made: a database whose history is 14 months old
 * (its audit rows in the partitions of those months, its chain sealed then, and no partition for
 * this month) restores, verifies, and the app carries on in this month: new partitions, new rows
 * sealed after the old ones, History reaching back to the old changes.
 */

const MONTHS_AGO = 14;

let old: TestDatabase;
let restoredDb: TestDatabase;
let restored: RestoreResult;
let workDir: string;
let customerId: string;
let oldRows: number;

async function sealAll(db: TestDatabase): Promise<number> {
  return (await sealAllAuditRows(db.sequelize)).lastPosition;
}

beforeAll(async () => {
  const tools = await findPgTools();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-old-backup-'));
  old = await createTestDatabase();
  // Made 14 months ago: the partitions of that month and the three after it, as the app made them then.
  await old.query(`SELECT ensure_audit_log_partitions((date_trunc('month', now()) - make_interval(months => ${MONTHS_AGO}))::date, 3)`);
  customerId = (await old.query<{ id: string }>(`INSERT INTO customers (code, name) VALUES ('OLDCO', 'Old Co') RETURNING id::text AS id`)).rows[0]!.id;
  await old.query(`UPDATE customers SET name = 'Old Company' WHERE code = 'OLDCO'`);
  // Aged as a whole, before anything was sealed: the rows move to the partition of their month.
  const client = new pg.Client({ connectionString: old.url });
  await client.connect();
  try {
    await client.query(`SELECT set_config('nexus.actor', $1, false)`, [TEST_ACTOR]);
    await client.query('SET session_replication_role = replica');
    await client.query(`UPDATE audit_logs SET occurred_at = occurred_at - make_interval(months => ${MONTHS_AGO})`);
    await client.query(
      `UPDATE customers SET created_at = created_at - make_interval(months => ${MONTHS_AGO}), updated_at = updated_at - make_interval(months => ${MONTHS_AGO})`,
    );
    // The months after its last one did not exist yet.
    const { rows } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = 'audit_logs'::regclass AND c.relname <> 'audit_logs_default'
          AND c.relname > to_char(date_trunc('month', now()) - make_interval(months => ${MONTHS_AGO - 3}), '"audit_logs_"YYYY_MM')`,
    );
    for (const { name } of rows) await client.query(`DROP TABLE ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
  oldRows = Number((await old.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n);
  expect(await sealAll(old)).toBe(oldRows);

  const backup = await backupDatabase({ url: old.url, tools, file: path.join(workDir, 'old.dump') });
  restoredDb = await createEmptyDatabase();
  restored = await restoreDatabase({ file: backup.file, url: restoredDb.url, tools });
}, 180_000);

afterAll(async () => {
  await Promise.all([old?.drop(), restoredDb?.drop()]);
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('a backup of a database made 14 months ago', () => {
  it('restores with its old months and its chain, verified as it was sealed', async () => {
    expect(restored.verify).toMatchObject({ ok: true, rowsChecked: oldRows });
    const parts = await restoredDb.query<{ part: string; month: string }>(
      `SELECT DISTINCT tableoid::regclass::text AS part,
              to_char(date_trunc('month', now()) - make_interval(months => ${MONTHS_AGO}), '"audit_logs_"YYYY_MM') AS month
         FROM audit_logs WHERE table_name = 'customers' AND record_id = $1`,
      [customerId],
    );
    expect(parts.rows).toHaveLength(1);
    expect(parts.rows[0]!.part).toBe(parts.rows[0]!.month);
    const thisMonth = await restoredDb.query(`SELECT 1 FROM pg_class WHERE relname = to_char(now(), '"audit_logs_"YYYY_MM')`);
    expect(thisMonth.rowCount).toBe(0);
  });

  it('carries on in this month: its partitions are made at start, a new change lands there and is chained after the old rows', async () => {
    expect(await ensureAuditPartitions(restoredDb.sequelize)).toBe(4);
    await restoredDb.query(`UPDATE customers SET name = 'Old Company (restored)' WHERE id = $1`, [customerId]);
    const where = await restoredDb.query<{ part: string; month: string }>(
      `SELECT tableoid::regclass::text AS part, to_char(now(), '"audit_logs_"YYYY_MM') AS month FROM audit_logs WHERE new_value = 'Old Company (restored)'`,
    );
    expect(where.rows).toEqual([{ part: where.rows[0]!.month, month: where.rows[0]!.month }]);
    expect((await restoredDb.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs_default')).rows[0]!.n).toBe(0);

    expect(await sealAll(restoredDb)).toBe(oldRows + 1);
    const report = await verifyAuditLog(restoredDb.sequelize);
    expect({ ok: report.ok, problem: report.problem, checked: report.rowsChecked }).toEqual({ ok: true, problem: null, checked: oldRows + 1 });
  });

  it("shows the record's History back to its creation 14 months ago", async () => {
    const history = await recordHistory(restoredDb.sequelize, 'customers', customerId);
    const names = history.entries.map((e) => e.changes.find((c) => c.field === 'name')?.new);
    expect(names).toEqual(['Old Company (restored)', 'Old Company', 'Old Co']);
    const created = new Date(history.entries[2]!.at);
    const monthsBack = (Date.now() - created.getTime()) / (30.44 * 86_400_000);
    expect(monthsBack).toBeGreaterThan(MONTHS_AGO - 1);
    expect(monthsBack).toBeLessThan(MONTHS_AGO + 1);
  });
});
