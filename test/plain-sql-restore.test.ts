import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import pino from 'pino';
import supertest from 'supertest';
import { parse as parseYaml } from 'yaml';
import { sealAuditLog } from '../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import { loadConfig } from '../src/config/config.js';
import { findPgTools } from '../src/db/backup/pg-tools.js';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { databaseRolesFor } from '../src/db/database-roles.js';
import { createMigrator } from '../src/db/migrator.js';
import { migrationsDir, projectRoot } from '../src/paths.js';
import { startServer } from '../src/server.js';
import { buildFloor, FLOOR_PASSWORD, type Floor } from './support/floor-fixtures.js';
import { floorRecordsAsBuilt, readFloorRecords } from './support/floor-rows.js';
import { runInitScripts } from './support/postgres-image.js';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The backup and restore an operator may type from the seed's own words, plain SQL through
 * docker exec: `pg_dump -U nexus_user nexus > backup.sql` and `psql -U nexus_user nexus <
 * backup.sql`. Into a database that is not empty it must stop at once and change nothing; into a
 * new stack (docker-compose.restore.yml: an empty database with its owner and roles) it must give
 * back NEXUS whole, with an audit trail that goes on verifying after the first change. The data:
 * a test floor (test/support/floor-fixtures.ts), built by the owner as the demo seed would be.
 */

const PSQLRC = path.join(projectRoot, 'docker', 'psqlrc');
let source: TestDatabase;
let workDir: string;
let dumpFile: string;
let pgDump: string;
let floor: Floor;

async function fingerprint(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows: tables } = await client.query<{ name: string }>(
      `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 1`,
    );
    const parts: string[] = [];
    for (const { name } of tables) {
      const { rows } = await client.query<{ n: number; md5: string | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(t::text, '|' ORDER BY t::text)) AS md5 FROM ${client.escapeIdentifier(name)} t`,
      );
      parts.push(`${name}:${rows[0]!.n}:${rows[0]!.md5}`);
    }
    const { rows: objects } = await client.query<{ n: number }>(
      `SELECT (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public')::int AS n`,
    );
    return `${parts.join('\n')}\nfunctions:${objects[0]!.n}`;
  } finally {
    await client.end();
  }
}

async function one<T>(url: string, sql: string, params: unknown[] = []): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows[0] as T;
  } finally {
    await client.end();
  }
}

/** psql as the container runs it: the container's PSQLRC, the script on standard input. */
function psqlFromStdin(url: string, file: string) {
  return spawnSync('psql', ['-q', '-d', url], { input: fs.readFileSync(file), encoding: 'utf8', env: { ...process.env, PSQLRC } });
}

beforeAll(async () => {
  pgDump = (await findPgTools()).pgDump;
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-plain-restore-'));
  // The compose stack's database: owned by the login nexus_user, which migrated and filled it.
  source = await createEmptyDatabase();
  const password = crypto.randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: withDatabase(source.url, 'postgres') });
  await admin.connect();
  try {
    await admin.query(
      `DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'nexus_user') THEN CREATE ROLE nexus_user LOGIN NOSUPERUSER; END IF; END $$`,
    );
    await admin.query(`ALTER ROLE nexus_user LOGIN NOSUPERUSER CREATEROLE PASSWORD '${password}'`);
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(source.name)} OWNER TO nexus_user`);
  } finally {
    await admin.end();
  }
  const asOwner = new URL(source.url);
  asOwner.username = 'nexus_user';
  asOwner.password = password;
  const owner = createSequelize({ url: asOwner.toString(), poolMax: 2, acquireTimeoutMs: 10_000 });
  try {
    // Granting to the compose database's roles, as a dump of it does.
    await createMigrator(owner, migrationsDir, { roles: databaseRolesFor('nexus') }).up();
    floor = await buildFloor({ sequelize: owner });
  } finally {
    await owner.close();
  }
  // Ahead of a brand-new cluster's transaction counter, whatever server the tests run on.
  await source.query(`DO $$ BEGIN FOR i IN 1..300000 LOOP PERFORM pg_current_xact_id(); COMMIT; END LOOP; END $$`);
  await source.query(`UPDATE customers SET phone = '+1 555 0142' WHERE id = $1`, [floor.customers.aero.id]);
  const sealer = createSequelize({ url: source.url, poolMax: 1, acquireTimeoutMs: 10_000 });
  try {
    await sealAuditLog(sealer);
  } finally {
    await sealer.close();
  }
  dumpFile = path.join(workDir, 'backup.sql');
  // `pg_dump -U nexus_user nexus > backup.sql`: the plain format, every default.
  const dump = spawnSync(pgDump, [`--dbname=${asOwner.toString()}`], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  expect({ status: dump.status, stderr: dump.stderr }).toEqual({ status: 0, stderr: '' });
  fs.writeFileSync(dumpFile, dump.stdout);
}, 180_000);

afterAll(async () => {
  await source?.drop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
});

describe('psql < backup.sql into a NEXUS database that is not empty', () => {
  it('stops at the first error with a non-zero exit (the container’s psqlrc), and changes nothing', async () => {
    const filled = await createTestDatabase();
    try {
      await buildFloor(filled);
      const before = await fingerprint(filled.url);
      const run = psqlFromStdin(filled.url, dumpFile);
      expect(run.status).toBe(3);
      expect(run.stderr.split('\n').filter((l) => /ERROR/.test(l))).toHaveLength(1);
      expect(await fingerprint(filled.url)).toBe(before);
    } finally {
      await filled.drop();
    }
  });
});

describe('psql < backup.sql into a new stack', () => {
  let cluster: EmbeddedPostgres | undefined;
  const clusterRoot = path.join(os.tmpdir(), `nexus-plain-restore-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  afterAll(async () => {
    await cluster?.stop();
    fs.rmSync(clusterRoot, { recursive: true, force: true });
  });

  it('docker-compose.restore.yml replaces the init scripts with the empty database’s', () => {
    const override = parseYaml(fs.readFileSync(path.join(projectRoot, 'docker-compose.restore.yml'), 'utf8')) as {
      services: { postgres: { volumes: string[] } };
    };
    expect(override.services.postgres.volumes).toEqual([
      './docker/restore-initdb:/docker-entrypoint-initdb.d:ro',
      './docker/initdb/00-owner.sh:/docker-entrypoint-initdb.d/00-owner.sh:ro',
      './docker/initdb/99-init-complete.sql:/docker-entrypoint-initdb.d/99-init-complete.sql:ro',
    ]);
  });

  it('restores NEXUS whole as the owner, and on its first start the app catches the transaction counter up: the trail goes on verifying', async () => {
    // A new server with a new volume, as the restore override starts it: owner, roles, nothing else.
    cluster = await startEmbeddedPostgres({ dataDir: path.join(clusterRoot, 'postgres'), port: await freeLocalPort(), durable: false, removeOnStop: true });
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    await admin.query('CREATE DATABASE nexus');
    await admin.end();
    const superuserUrl = withDatabase(cluster.url, 'nexus');
    const initFolder = path.join(clusterRoot, 'initdb');
    fs.mkdirSync(initFolder);
    for (const file of fs.readdirSync(path.join(projectRoot, 'docker', 'restore-initdb')))
      fs.copyFileSync(path.join(projectRoot, 'docker', 'restore-initdb', file), path.join(initFolder, file));
    for (const file of ['00-owner.sh', '99-init-complete.sql']) fs.copyFileSync(path.join(projectRoot, 'docker', 'initdb', file), path.join(initFolder, file));
    const ownerPassword = crypto.randomBytes(12).toString('hex');
    const ownerPasswordFile = path.join(clusterRoot, 'owner-password');
    fs.writeFileSync(ownerPasswordFile, `${ownerPassword}\n`, { mode: 0o600 });
    const init = await runInitScripts(initFolder, superuserUrl, { owner: 'nexus_user', ownerPasswordFile });
    expect(init).toEqual({ completed: ['00-owner.sh', '10-roles.sql', '99-init-complete.sql'] });

    // `docker exec -i nexus_postgres psql -U nexus_user nexus < backup.sql`
    const ownerUrl = new URL(superuserUrl);
    ownerUrl.username = 'nexus_user';
    ownerUrl.password = ownerPassword;
    const restored = psqlFromStdin(ownerUrl.toString(), dumpFile);
    expect({ status: restored.status, errors: restored.stderr.split('\n').filter((l) => /ERROR/.test(l)) }).toEqual({ status: 0, errors: [] });
    expect(await fingerprint(superuserUrl)).toBe(await fingerprint(source.url));
    // And that is what this file built: the floor, with the phone number set after it.
    expect(await readFloorRecords(superuserUrl, floor)).toEqual(floorRecordsAsBuilt(floor));
    expect(await one(superuserUrl, 'SELECT phone FROM customers WHERE id = $1', [floor.customers.aero.id])).toEqual({ phone: '+1 555 0142' });

    // The app's first start (compose: the owner and runtime logins from their secret files).
    const runtimeUrl = new URL(superuserUrl);
    runtimeUrl.username = 'nexus_runtime';
    runtimeUrl.password = crypto.randomBytes(12).toString('hex');
    const config = loadConfig({
      DATABASE_OWNER_URL: ownerUrl.toString(),
      DATABASE_URL: runtimeUrl.toString(),
      PORT: String(await freeLocalPort()),
      SESSION_SECRET: 's'.repeat(40),
      SEED_DEMO_DATA: 'false',
      LOG_LEVEL: 'silent',
    });
    const server = await startServer(config, pino({ level: 'silent' }));
    try {
      const base = server.url.replace(/\/admin$/, '');
      const agent = supertest.agent(base);
      const signIn = await agent.post('/admin/login').type('form').send({ email: floor.people.engineer.username, password: FLOOR_PASSWORD });
      expect(signIn.status).toBe(302);
      const customer = await one<{ id: number; version: number }>(superuserUrl, 'SELECT id, version FROM customers WHERE id = $1', [floor.customers.hydro.id]);
      const edited = await agent
        .post(`/admin/api/resources/customers/records/${customer.id}/edit`)
        .field('version', String(customer.version))
        .field('phone', '+1 414 555 0191');
      expect(edited.status).toBe(200);
    } finally {
      await server.close();
    }
    const sequelize = createSequelize({ url: superuserUrl, poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      await sealAuditLog(sequelize);
      const report = await verifyAuditLog(sequelize);
      expect({ ok: report.ok, problem: report.problem, pending: report.rowsPending }).toEqual({ ok: true, problem: null, pending: 0 });
      const rows = await sequelize.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE new_value = '+1 414 555 0191'`, {
        type: 'SELECT' as never,
      });
      expect(rows).toEqual([{ n: 1 }]);
    } finally {
      await sequelize.close();
    }
  }, 180_000);
});
