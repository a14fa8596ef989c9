import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { ensureAuditPartitionsElected } from '../src/audit/audit-partition.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { sealAllAuditRows } from './support/audit-seal.js';

/**
 * Partitions and maintenance that cannot silently decay, and db:* commands that answer a mistake
 * with a message: run as an operator runs them (the CLI, in its own process).
 */

let db: TestDatabase;

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' },
    timeout: 60_000,
  });
}

const thisMonthPartition = async () => (await db.query<{ name: string }>(`SELECT to_char(now(), '"audit_logs_"YYYY_MM') AS name`)).rows[0]!.name;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('a month that began without its partition', () => {
  it('is reported by db:maintain with its remedy (exit 1); the remedy moves its rows into a partition of their own and the chain still verifies', async () => {
    // The month's partition is missing (it was never made): its rows land in the default.
    await db.query(`DROP TABLE ${await thisMonthPartition()}`);
    await db.query(`INSERT INTO customers (code, name) VALUES ('DEF1', 'Default Co')`);
    await db.query(`UPDATE customers SET name = 'Default Company' WHERE code = 'DEF1'`);
    const stray = (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs_default')).rows[0]!.n;
    expect(stray).toBeGreaterThan(0);
    // Sealed while in the default: the chain must verify after the move as before it.
    await sealAllAuditRows(db.sequelize);
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true });

    const reported = cli('maintain');
    expect(reported.status).toBe(1);
    expect(reported.stderr).toMatch(/PROBLEM: audit rows sit in audit_logs_default.*\d{4}-\d{2}: \d+.*--adopt-default-rows/s);

    const fixed = cli('maintain', '--adopt-default-rows');
    expect({ status: fixed.status, stderr: fixed.stderr.includes('PROBLEM') }).toEqual({ status: 0, stderr: false });
    expect(fixed.stdout).toMatch(new RegExp(`moved ${stray} audit rows of \\d{4}-\\d{2}`));
    expect((await db.query('SELECT count(*)::int AS n FROM audit_logs_default')).rows[0]).toEqual({ n: 0 });
    const where = await db.query<{ part: string }>(`SELECT DISTINCT tableoid::regclass::text AS part FROM audit_logs WHERE table_name = 'customers'`);
    expect(where.rows).toEqual([{ part: await thisMonthPartition() }]);
    expect(await verifyAuditLog(db.sequelize)).toMatchObject({ ok: true, problem: null });
    // The default is a guarded partition again.
    expect((await db.query('DELETE FROM audit_logs_default')).rowCount).toBe(0);
    await db.query(
      `INSERT INTO audit_logs (occurred_at, change_id, action, actor_kind, actor_username) VALUES ('2199-01-01', gen_random_uuid(), 'login', 'system', 'system:test')`,
    );
    expect(await db.query('DELETE FROM audit_logs_default').catch((e: { code?: string }) => e.code)).toBe('NXA02');
  });
});

describe('db:maintain and db:migrate answer mistakes with a message', () => {
  it('refuses to archive a month that has not ended, and changes nothing', async () => {
    const parts = async () => (await db.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'audit_logs'::regclass`)).rows[0];
    const before = await parts();
    const future = (await db.query<{ m: string }>(`SELECT to_char(now() + interval '2 months', 'YYYY-MM') AS m`)).rows[0]!.m;
    const run = cli('maintain', `--archive-before=${future}`);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/has not ended.*Nothing was done/);
    expect(await parts()).toEqual(before);
  });

  it('says what is wrong with a migration name, without a stack trace', () => {
    const run = cli('migrate:create', 'Add Scrap Reasons');
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('migration name "Add Scrap Reasons" must be lowercase words joined by hyphens, e.g. add-scrap-reasons');
  });

  it('db:migrate waits for the lock the app holds while it migrates', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtext('nexus.migrations'))`);
      const started = Date.now();
      const child = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', 'migrate'], {
        encoding: 'utf8',
        env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' },
        timeout: 8_000,
      });
      // Still waiting when the test gave up on it: it did not migrate beside the lock holder.
      expect(child.signal).toBe('SIGTERM');
      expect(Date.now() - started).toBeGreaterThanOrEqual(7_000);
    } finally {
      await holder.end();
    }
    const free = cli('migrate');
    // A test database is a copy of the run's template, so its first migrate also takes roles of its own.
    expect({ status: free.status, out: free.stdout.trim().split('\n').at(-1) }).toEqual({ status: 0, out: 'Nothing to apply: the schema is up to date.' });
  });
});

describe('the app keeps the coming months’ partitions', () => {
  it('makes them when it is its turn, and skips while another instance is at it', async () => {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(`SELECT pg_advisory_xact_lock(hashtext('nexus.audit.partitions'))`);
      expect(await ensureAuditPartitionsElected(db.sequelize)).toBeNull();
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
    const ahead = (await db.query<{ name: string }>(`SELECT to_char(now() + interval '3 months', '"audit_logs_"YYYY_MM') AS name`)).rows[0]!.name;
    await db.query(`DROP TABLE IF EXISTS ${ahead}`);
    expect(await ensureAuditPartitionsElected(db.sequelize)).toBe(1);
    expect((await db.query('SELECT to_regclass($1) IS NOT NULL AS present', [ahead])).rows[0]).toEqual({ present: true });
  });
});
