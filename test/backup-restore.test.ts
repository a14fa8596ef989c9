import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { sealAuditLog } from '../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { BackupError } from '../src/db/backup/backup-error.js';
import { backupDatabase, type BackupResult } from '../src/db/backup/backup.service.js';
import { findPgTools, type PgTools } from '../src/db/backup/pg-tools.js';
import { restoreDatabase, type RestoreResult } from '../src/db/backup/restore.service.js';
import { withDatabase } from '../src/db/database.js';
import { databaseRolesFor } from '../src/db/database-roles.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { floorRecordsAsBuilt, readFloorRecords } from './support/floor-rows.js';
import { TEST_ACTOR, createEmptyDatabase, createTestDatabase, dropDatabaseAndItsRoles, type TestDatabase } from './support/test-database.js';

/**
 * A backup restored into an empty database gives the same data and a verifying audit chain,
 * keeps the audit rows append-only and the runtime role's grants, and a restore that cannot be
 * trusted (non-empty target, missing or damaged file) changes nothing. The data: a test floor
 * (test/support/floor-fixtures.ts) and a few changes made after it.
 */

let tools: PgTools;
let source: TestDatabase;
let target: TestDatabase;
let workDir: string;
let backup: BackupResult;
let restored: RestoreResult;
let floor: Floor;
/** The customers this file adds after the floor: one kept (and renamed), one deleted. */
const changed = { kept: 0, deleted: 0 };
/** The source's tables right after the backup; nothing writes to the source afterwards but the CLI test's own backup. */
let sourceAtBackup: Awaited<ReturnType<typeof contents>>;
const cleanup: Array<() => Promise<unknown>> = [];

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Text forms that do not depend on either server's defaults, so two clusters compare equal.
    await client.query(
      `SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 1; SET bytea_output = 'hex'`,
    );
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Every table and partition of schema public: row count and a hash of every row's content.
 * nexus_roles only by count: it names the database's own roles, which a restore under another
 * name changes on purpose (rolesOf checks it).
 */
async function contents(url: string): Promise<Record<string, { rows: number; md5: string | null }>> {
  return withClient(url, async (client) => {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') ORDER BY 1`,
    );
    const out: Record<string, { rows: number; md5: string | null }> = {};
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: number; md5: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text COLLATE "C")) AS md5 FROM ${client.escapeIdentifier(name)} t`,
      );
      out[name] = { rows: rows[0]!.n, md5: name === 'nexus_roles' ? null : rows[0]!.md5 };
    }
    return out;
  });
}

/** The roles a database names as its own (table nexus_roles). */
async function rolesOf(url: string): Promise<{ app: string; runtime: string }> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ app: string; runtime: string }>('SELECT app_role AS app, runtime_role AS runtime FROM nexus_roles');
    return rows[0]!;
  });
}

/** What this file built in the source, as a database holds it: the floor, and the changes made after it. */
async function built(url: string): Promise<Record<string, unknown>> {
  const after = await withClient(url, async (c) => {
    const rows = async (sql: string, params: unknown[] = []) => (await c.query(sql, params)).rows;
    return {
      customers: await rows(`SELECT code, name FROM customers WHERE code IN ('BKP', 'GONE') ORDER BY code`),
      renamed: await rows(
        `SELECT action, old_value, new_value FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 AND field_name = 'name' ORDER BY id`,
        [String(changed.kept)],
      ),
      deleted: await rows(`SELECT DISTINCT action FROM audit_logs WHERE table_name = 'customers' AND record_id = $1 ORDER BY 1`, [String(changed.deleted)]),
      events: await rows(`SELECT action, table_name, record_id, details FROM audit_logs WHERE action = 'login'`),
    };
  });
  return { floor: await readFloorRecords(url, floor), ...after };
}

/** What `built` reads from a faithful copy of the source. */
function whatWasBuilt(): Record<string, unknown> {
  return {
    floor: floorRecordsAsBuilt(floor),
    customers: [{ code: 'BKP', name: 'Backup Test Company' }],
    renamed: [
      { action: 'create', old_value: null, new_value: 'Backup Test Co' },
      { action: 'update', old_value: 'Backup Test Co', new_value: 'Backup Test Company' },
    ],
    deleted: [{ action: 'create' }, { action: 'delete' }],
    events: [{ action: 'login', table_name: 'users', record_id: String(floor.people.operator.id), details: { note: 'backup test' } }],
  };
}

/** Row counts of the source as built, for the tables whose rows this file knows. */
function builtCounts(): Record<string, number> {
  const travelers = [floor.completed, floor.running, floor.released, floor.draft, floor.held, floor.cancelled];
  return {
    // The floor's three and BKP (GONE was deleted); the floor's three people.
    customers: 4,
    users: 3,
    travelers: travelers.length,
    traveler_steps: travelers.reduce((n, t) => n + Object.keys(t.steps).length, 0),
    // Closed entries of the completed and the running traveler, and the running one's open clock-in.
    labor_entries: floor.completed.laborEntryIds.length + floor.running.laborEntryIds.length + 1,
    manual_steps: 1,
    approvals: 1,
    mail_outbox: 0,
  };
}

async function sequences(url: string): Promise<Array<{ sequencename: string; last_value: string | null }>> {
  return withClient(url, async (c) => (await c.query(`SELECT sequencename, last_value::text FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1`)).rows);
}

async function auditRows(url: string): Promise<unknown[]> {
  return withClient(url, async (c) => (await c.query(`SELECT id::text, occurred_at::text, txid::text, a.*::text AS row FROM audit_logs a ORDER BY id`)).rows);
}

/** What the runtime role may do, and the triggers that guard the data, as the catalog says. */
async function protections(url: string): Promise<{ grants: unknown[]; triggers: unknown[] }> {
  return withClient(url, async (c) => ({
    grants: (
      await c.query(
        `SELECT 'relation' AS kind, c.relname AS name, a.privilege_type
           FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace, aclexplode(c.relacl) a
          WHERE n.nspname = 'public' AND a.grantee = (SELECT app_role FROM nexus_roles)::regrole
         UNION ALL
         SELECT 'function', p.oid::regprocedure::text, a.privilege_type
           FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, aclexplode(p.proacl) a
          WHERE n.nspname = 'public' AND a.grantee = (SELECT app_role FROM nexus_roles)::regrole
         UNION ALL
         SELECT 'schema', n.nspname, a.privilege_type
           FROM pg_namespace n, aclexplode(n.nspacl) a
          WHERE n.nspname = 'public' AND a.grantee = (SELECT app_role FROM nexus_roles)::regrole
         ORDER BY 1, 2, 3`,
      )
    ).rows,
    triggers: (
      await c.query(
        `SELECT c.relname AS tbl, t.tgname AS name, t.tgenabled AS enabled, pg_get_triggerdef(t.oid) AS def
           FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
          WHERE NOT t.tgisinternal ORDER BY 1, 2`,
      )
    ).rows,
  }));
}

async function publicObjects(url: string): Promise<number> {
  return withClient(url, async (c) => {
    const { rows } = await c.query<{ n: number }>(
      `SELECT ((SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public')
             + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'))::int AS n`,
    );
    return rows[0]!.n;
  });
}

/** Error code and message of a statement run as the superuser, or as another role. */
async function refusal(url: string, sql: string, role?: string): Promise<{ code?: string; message: string } | null> {
  return withClient(url, async (c) => {
    if (role) await c.query(`SET ROLE ${role}`);
    try {
      await c.query(sql);
      return null;
    } catch (error) {
      const e = error as { code?: string; message: string };
      return { code: e.code, message: e.message };
    }
  });
}

/** Consumes transaction ids on a server until its counter is at least `atLeast`. */
async function advanceServerTo(url: string, atLeast: number): Promise<void> {
  await withClient(url, async (c) => {
    const current = Number((await c.query<{ x: string }>('SELECT pg_current_xact_id()::text AS x')).rows[0]!.x);
    if (current < atLeast) await c.query(`DO $$ BEGIN FOR i IN 1..${atLeast - current} LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
  });
}

function bareSequelize(url: string): Sequelize {
  return new Sequelize(url, { dialect: 'postgres', dialectModule: pg, logging: false, pool: { max: 2, min: 0 } });
}

/** A database name the run's global teardown removes should this file crash before dropping it. */
function scratchName(label: string): string {
  return `${process.env.NEXUS_TEST_TEMPLATE_DB}_${label}_${crypto.randomBytes(3).toString('hex')}`;
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await dropDatabaseAndItsRoles(client, name);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  tools = await findPgTools();
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-backup-test-'));
  source = await createTestDatabase();
  cleanup.push(() => source.drop());
  floor = await buildFloor(source);
  // The backup's transaction ids must be ahead of a brand-new cluster's (the "new server" case
  // below) whatever server the tests run on; consuming ids is quick and harmless.
  await advanceServerTo(source.url, 300_000);
  // A few audited changes of every kind after the floor, and an event.
  const insert = async (code: string, name: string) =>
    Number((await source.query<{ id: number }>(`INSERT INTO customers (code, name) VALUES ($1, $2) RETURNING id`, [code, name])).rows[0]!.id);
  changed.kept = await insert('BKP', 'Backup Test Co');
  await source.query(`UPDATE customers SET name = 'Backup Test Company' WHERE code = 'BKP'`);
  changed.deleted = await insert('GONE', 'Deleted Co');
  await source.query(`DELETE FROM customers WHERE code = 'GONE'`);
  await source.query(`SELECT audit_event('login', 'users', $1, '{"note":"backup test"}'::jsonb)`, [String(floor.people.operator.id)]);
  // Transaction ids are cluster-wide: on a shared server, a transaction left open in another
  // database holds the sealing horizon back, and rows behind it stay pending (by design). So
  // here the chain may cover all rows or none; the restore onto a private cluster below is where
  // a fully sealed chain is proved to survive a round trip.
  await sealAuditLog(source.sequelize);

  backup = await backupDatabase({ url: source.url, tools, file: path.join(workDir, 'nexus.dump') });
  sourceAtBackup = await contents(source.url);
  target = await createEmptyDatabase();
  cleanup.push(() => target.drop());
  restored = await restoreDatabase({ file: backup.file, url: target.url, tools });
}, 180_000);

afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch((error) => console.error(error));
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('finding pg_dump and pg_restore', () => {
  it('uses version 15 tools, and an explicit PG_BIN_DIR without them fails naming how to install them', async () => {
    expect(tools.version).toMatch(/^15\./);
    const empty = fs.mkdtempSync(path.join(workDir, 'no-tools-'));
    await expect(findPgTools({ binDir: empty })).rejects.toThrow(/pg_dump and pg_restore of PostgreSQL 15.*apt-get install postgresql-client-15.*PG_BIN_DIR/s);
    await expect(findPgTools({ binDir: empty })).rejects.toBeInstanceOf(BackupError);
  });
});

describe('a backup', () => {
  it('is a custom-format archive readable only by its owner, with a summary of the same snapshot', async () => {
    expect(fs.readFileSync(backup.file).subarray(0, 5).toString('latin1')).toBe('PGDMP');
    expect(fs.statSync(backup.file).mode & 0o777).toBe(0o600);
    expect(backup.bytes).toBe(fs.statSync(backup.file).size);
    const written = JSON.parse(fs.readFileSync(backup.summaryFile, 'utf8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(backup.summary)));
    const now = sourceAtBackup;
    for (const [table, rows] of Object.entries(backup.summary.tables)) expect(rows).toBe(now[table]!.rows);
    expect(backup.summary.tables).toMatchObject(builtCounts());
    expect(await built(source.url)).toEqual(whatWasBuilt());
    expect(backup.summary.auditRows).toBe(now.audit_logs!.rows);
    expect(backup.summary.auditRows).toBeGreaterThan(100);
    expect(backup.summary.chain).toMatchObject({ lastPosition: now.audit_chain!.rows, pendingRows: now.audit_logs!.rows - now.audit_chain!.rows });
    if (backup.summary.chain.lastPosition > 0) expect(backup.summary.chain.headHash).toMatch(/^[0-9a-f]{64}$/);
    // A backup never overwrites another.
    await expect(backupDatabase({ url: source.url, tools, file: backup.file })).rejects.toThrow(/already exists/);
  });
});

describe('a restore into an empty database', () => {
  it('gives every table and partition the same rows, and the sequences the same positions', async () => {
    const before = sourceAtBackup;
    const after = await contents(target.url);
    expect(Object.keys(after)).toEqual(Object.keys(before));
    expect(after).toEqual(before);
    // Restored under another name, it has roles of its own rather than sharing the source's.
    expect(await rolesOf(target.url)).toEqual(databaseRolesFor(new URL(target.url).pathname.slice(1)));
    expect(await rolesOf(target.url)).not.toEqual(await source.roles());
    // What was restored is what this file built, not merely whatever the source held.
    expect(await built(target.url)).toEqual(whatWasBuilt());
    expect(restored.summary.tables).toMatchObject(builtCounts());
    expect(before.audit_logs!.rows).toBeGreaterThan(100);
    expect(await sequences(target.url)).toEqual(await sequences(source.url));
    expect(restored.countsMatchedBackup).toBe(true);
    expect(restored.summary.tables).toEqual(backup.summary.tables);
  });

  it('keeps audit_logs identical (ids, times, transaction ids), adds no audit row, and the chain verifies', async () => {
    const original = await auditRows(source.url);
    expect(await auditRows(target.url)).toEqual(original);
    expect(restored.summary.auditRows).toBe(original.length);
    expect(restored.verify).toMatchObject({ ok: true, rowsChecked: backup.summary.chain.lastPosition, headHash: backup.summary.chain.headHash });
    expect(restored.verify.rowsChecked + restored.verify.rowsPending).toBe(original.length);
    const again = await verifyAuditLog(target.sequelize);
    expect(again).toMatchObject({ ok: true, rowsChecked: backup.summary.chain.lastPosition, headHash: backup.summary.chain.headHash });
    // Same server: its counter is already past the backup's, nothing to advance.
    expect(restored.transactionIdsAdvanced).toBe(0);
  });

  it('still refuses to change audit rows, and the group role keeps exactly its grants', async () => {
    const [from, to] = await Promise.all([protections(source.url), protections(target.url)]);
    expect(to.triggers).toEqual(from.triggers);
    expect(to.grants).toEqual(from.grants);
    expect(to.grants).toContainEqual({ kind: 'relation', name: 'audit_logs', privilege_type: 'SELECT' });
    expect(restored.triggersChecked).toBeGreaterThan(20);

    // The owner is refused by the append-only triggers...
    // (TRUNCATE's guards are statement triggers: they fire even when the chain is still empty.)
    for (const sql of [
      'UPDATE audit_logs SET new_value = $$x$$ WHERE id = (SELECT min(id) FROM audit_logs)',
      'DELETE FROM audit_logs',
      'TRUNCATE audit_logs',
      'TRUNCATE audit_chain',
      'TRUNCATE audit_seals',
    ]) {
      expect(await refusal(target.url, sql)).toMatchObject({ code: 'NXA02' });
    }
    // ...and the runtime role has no privilege to try.
    for (const sql of [
      'UPDATE audit_logs SET new_value = $$x$$',
      'DELETE FROM audit_logs',
      'INSERT INTO audit_logs (change_id, action, actor_kind, actor_username) VALUES (gen_random_uuid(), $$login$$, $$system$$, $$x$$)',
    ]) {
      expect(await refusal(target.url, sql, (await target.roles()).app)).toMatchObject({ code: '42501' });
    }
    // Business tables are audited again for changes made after the restore.
    const count = async () => (await target.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n;
    const rowsBefore = await count();
    await target.query(`UPDATE customers SET name = 'After restore' WHERE code = 'BKP'`);
    expect(await count()).toBe(rowsBefore + 1);
    expect(await refusal(target.url, `UPDATE customers SET name = 'no actor' WHERE code = 'BKP'`)).toMatchObject({ code: 'NXA01' });
  });
});

describe('a restore that differs from its backup', () => {
  it('is reported with "do not use this database" when a count or the chain end disagrees with the summary', async () => {
    const copy = path.join(workDir, 'mismatch.dump');
    fs.copyFileSync(backup.file, copy);
    const summary = JSON.parse(fs.readFileSync(backup.summaryFile, 'utf8'));
    summary.tables.customers += 1;
    fs.writeFileSync(`${copy}.summary.json`, JSON.stringify(summary));
    const one = await createEmptyDatabase();
    cleanup.push(() => one.drop());
    await expect(restoreDatabase({ file: copy, url: one.url, tools })).rejects.toThrow(
      new RegExp(
        `row counts differ from the backup's summary: customers ${summary.tables.customers - 1} \\(backup: ${summary.tables.customers}\\)\\. Do not use this database`,
      ),
    );

    summary.tables.customers -= 1;
    summary.chain.headHash = 'f'.repeat(64);
    fs.writeFileSync(`${copy}.summary.json`, JSON.stringify(summary));
    const two = await createEmptyDatabase();
    cleanup.push(() => two.drop());
    await expect(restoreDatabase({ file: copy, url: two.url, tools })).rejects.toThrow(
      /the audit chain ends at position \d+ .*not at the backup's .*Do not use this database/,
    );
  });
});

describe('a restore that cannot be trusted changes nothing', () => {
  it('refuses a database that is not empty, saying how to get an empty one', async () => {
    // The restored copy itself: a second restore must not mix into it.
    const before = await contents(target.url);
    const attempt = restoreDatabase({ file: backup.file, url: target.url, tools });
    await expect(attempt).rejects.toBeInstanceOf(BackupError);
    await expect(attempt).rejects.toThrow(/Refusing to restore into database ".*": it is not empty .*Restore into a new database.*nothing was changed/s);
    expect(await contents(target.url)).toEqual(before);

    // A database holding just one unrelated table is not empty either.
    const other = await createEmptyDatabase();
    cleanup.push(() => other.drop());
    await other.query(`CREATE TABLE notes (id int PRIMARY KEY, text text); INSERT INTO notes VALUES (1, 'keep me')`);
    await expect(restoreDatabase({ file: backup.file, url: other.url, tools })).rejects.toThrow(/not empty \(table notes, index notes_pkey\)/);
    expect(await contents(other.url)).toEqual({ notes: { rows: 1, md5: expect.any(String) } });
    expect(await publicObjects(other.url)).toBe(2); // the table and its primary key index
  });

  it('fails clearly on a missing, foreign, damaged or non-NEXUS file, leaving the target empty', async () => {
    const empty = await createEmptyDatabase();
    cleanup.push(() => empty.drop());
    const restore = (file: string) => restoreDatabase({ file, url: empty.url, tools });

    await expect(restore(path.join(workDir, 'no-such.dump'))).rejects.toThrow(/No backup file at .*no-such\.dump/);

    const garbage = path.join(workDir, 'garbage.dump');
    fs.writeFileSync(garbage, 'this is not a backup\n'.repeat(100));
    await expect(restore(garbage)).rejects.toThrow(/is not a pg_dump custom-format archive .*nothing was restored/);

    // A valid header and table of contents, but the data cut short: pg_restore fails half-way,
    // and its single transaction leaves nothing behind.
    const truncated = path.join(workDir, 'truncated.dump');
    const bytes = fs.readFileSync(backup.file);
    fs.writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.9)));
    await expect(restore(truncated)).rejects.toThrow(/pg_restore failed .*nothing was restored.*end of file/s);

    const headerOnly = path.join(workDir, 'header-only.dump');
    fs.writeFileSync(headerOnly, bytes.subarray(0, 64));
    await expect(restore(headerOnly)).rejects.toThrow(/damaged or unreadable; nothing was restored/);

    // A perfectly good archive of some other database.
    const foreign = path.join(workDir, 'foreign.dump');
    const other = await createEmptyDatabase();
    cleanup.push(() => other.drop());
    await other.query('CREATE TABLE things (id int)');
    const url = new URL(other.url);
    const password = decodeURIComponent(url.password);
    url.password = '';
    const dumped = spawnSync(tools.pgDump, ['--format=custom', `--file=${foreign}`, `--dbname=${url}`], {
      env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
      encoding: 'utf8',
    });
    expect(dumped.stderr).toBe('');
    await expect(restore(foreign)).rejects.toThrow(/is not a NEXUS backup \(it has no audit_logs, audit_chain/);

    expect(await publicObjects(empty.url)).toBe(0);
  });
});

describe('a restore onto a new server', () => {
  let cluster: EmbeddedPostgres | undefined;
  const clusterRoot = path.join(os.tmpdir(), `nexus-restore-test-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(clusterRoot, { recursive: true, force: true });
  });

  it('creates the roles the grants need and moves the transaction counter past the backup, so new audit rows seal and verify', async () => {
    // A brand-new cluster: none of the backup's roles, and a transaction counter far behind the backup's.
    cluster = await startEmbeddedPostgres({
      dataDir: path.join(clusterRoot, 'postgres'),
      port: await freeLocalPort(),
      durable: false,
      removeOnStop: true,
    });
    const url = withDatabase(cluster.url, 'nexus');
    const result = await restoreDatabase({ file: backup.file, url, tools });
    expect(result.createdDatabase).toBe(true);
    expect(result.createdRoles).toContain((await source.roles()).app);
    expect(result.transactionIdsAdvanced).toBeGreaterThan(0);
    expect(result.verify).toMatchObject({ ok: true, rowsChecked: backup.summary.chain.lastPosition });
    expect(await contents(url)).toEqual(sourceAtBackup);
    expect(await built(url)).toEqual(whatWasBuilt());
    expect(await rolesOf(url)).toEqual(databaseRolesFor('nexus'));
    expect((await protections(url)).grants).toEqual((await protections(source.url)).grants);

    // Life goes on: a change on the restored copy is audited, sealed after the restored rows, verified.
    await withClient(url, async (c) => {
      await c.query(`SELECT set_config('nexus.actor', $1, false)`, [TEST_ACTOR]);
      await c.query(`UPDATE customers SET name = 'Moved to a new server' WHERE code = 'BKP'`);
    });
    // Rows still pending in the backup are sealed now too: this cluster has nothing else running.
    const total = backup.summary.auditRows + 1;
    const sequelize = bareSequelize(url);
    try {
      const seal = await sealAuditLog(sequelize);
      expect(seal).toMatchObject({ rowsSealed: backup.summary.chain.pendingRows + 1, lastPosition: total });
      expect(await verifyAuditLog(sequelize)).toMatchObject({ ok: true, rowsChecked: total, rowsPending: 0 });
    } finally {
      await sequelize.close();
    }

    // And back: this copy's chain now covers every row; backed up and restored on the test
    // server, every one of those rows verifies against the hashes sealed on the other cluster.
    const back = await backupDatabase({ url, tools, file: path.join(workDir, 'from-new-server.dump') });
    expect(back.summary.chain).toMatchObject({ lastPosition: total, pendingRows: 0 });
    const home = await createEmptyDatabase();
    cleanup.push(() => home.drop());
    const returned = await restoreDatabase({ file: back.file, url: home.url, tools });
    expect(returned.verify).toMatchObject({ ok: true, rowsChecked: total, rowsPending: 0, lastPosition: total, headHash: back.summary.chain.headHash });
    expect(await contents(home.url)).toEqual(await contents(url));
    expect(await auditRows(home.url)).toEqual(await auditRows(url));
  }, 120_000);
});

describe('npm run db:backup and db:restore', () => {
  function cli(args: string[], databaseUrl: string) {
    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: databaseUrl, NODE_ENV: 'development' };
    for (const name of ['DATABASE_OWNER_URL', 'PG_BIN_DIR', 'DATABASE_SSL_MODE', 'DATABASE_SSL_CA', 'DATABASE_SSL_CERT', 'DATABASE_SSL_KEY']) delete env[name];
    return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', ...args], { encoding: 'utf8', env, timeout: 90_000 });
  }

  it('backs up, restores into a new database by name, reports the checks, and refuses a second restore', async () => {
    const file = path.join(workDir, 'cli', 'nexus-cli.dump');
    const made = cli(['backup', '--out', file], source.url);
    expect(made.stderr).not.toMatch(/Error/);
    expect(made.status).toBe(0);
    expect(made.stdout).toContain(`Backup written: ${file} (`);
    expect(made.stdout).toMatch(/audit_logs\s+\d+ rows/);
    expect(made.stdout).toMatch(/Audit trail: \d+ rows; chain sealed to position \d+ .*; \d+ rows not yet sealed\./);
    expect(fs.existsSync(`${file}.summary.json`)).toBe(true);

    const name = scratchName('cli');
    cleanup.push(() => dropDatabase(source.url, name));
    const restoredByCli = cli(['restore', file, '--target', name], source.url);
    expect(restoredByCli.stderr).not.toMatch(/Error/);
    expect(restoredByCli.status).toBe(0);
    expect(restoredByCli.stdout).toContain(`into "${name}" (created)`);
    expect(restoredByCli.stdout).toContain("row counts: every table matches the backup's summary");
    expect(restoredByCli.stdout).toMatch(/triggers: all \d+ of the backup present and enabled/);
    expect(restoredByCli.stdout).toMatch(/audit chain: OK, \d+ rows verified, head ([0-9a-f]{64}|\(empty log\)) at position \d+/);
    expect(await contents(withDatabase(source.url, name))).toEqual(await contents(source.url));
    expect(await built(withDatabase(source.url, name))).toEqual(whatWasBuilt());
    expect(await rolesOf(withDatabase(source.url, name))).toEqual(databaseRolesFor(name));

    const refused = cli(['restore', file, '--target', name], source.url);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`Refusing to restore into database "${name}": it is not empty`);

    const usage = cli(['restore'], source.url);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain('Usage: npm run db:restore -- FILE');
  }, 180_000);
});

describe('npm run db:maintain', () => {
  it('runs VACUUM and ANALYZE on every business table and audit partition', async () => {
    const db = await createTestDatabase();
    cleanup.push(() => db.drop());
    const stats = async () =>
      (
        await db.query<{ relname: string; vacuumed: boolean; analyzed: boolean }>(
          `SELECT s.relname, s.last_vacuum IS NOT NULL AS vacuumed, s.last_analyze IS NOT NULL AS analyzed
             FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
            WHERE s.schemaname = 'public' AND c.relkind = 'r' ORDER BY 1`,
        )
      ).rows;
    const before = await stats();
    expect(before.map((s) => s.relname)).toEqual(expect.arrayContaining(['customers', 'travelers', 'users', 'audit_logs_default', 'audit_chain']));
    expect(before.some((s) => /^audit_logs_\d{4}_\d{2}$/.test(s.relname))).toBe(true);
    expect(before.filter((s) => s.vacuumed || s.analyzed)).toEqual([]);

    const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' };
    delete env.DATABASE_OWNER_URL;
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/db.ts', 'maintain'], { encoding: 'utf8', env, timeout: 90_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('VACUUM ANALYZE done.');

    const after = await stats();
    expect(after.length).toBe(before.length);
    expect(after.filter((s) => !s.vacuumed || !s.analyzed)).toEqual([]);
  }, 120_000);
});
