/**
 * Writes docker/initdb/01-init.sql (the schema) and docker/initdb/02-seed-data.sql (the demo data),
 * which the postgres container runs on its first start: `npm run db:generate-init`.
 *
 * Both are derived, never hand-written: the schema from migrations/*.up.sql plus the
 * schema_migrations table exactly as umzug creates it, the data from a scratch database that the
 * real migrator and seeders filled. The scratch database lives on DATABASE_URL's (or
 * TEST_DATABASE_URL's) server when one is given, otherwise on a throwaway embedded PostgreSQL.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createSequelize, withDatabase } from '../src/db/database.js';
import { freeLocalPort, startEmbeddedPostgres } from '../src/db/embedded-postgres.js';
import { MIGRATIONS_TABLE, createMigrator, listMigrationFiles } from '../src/db/migrator.js';
import { SEEDS_TABLE, createSeeder } from '../src/db/seeder.js';
import { bindRoleNames, databaseRolesFor } from '../src/db/database-roles.js';
import { migrationsDir, projectRoot } from '../src/paths.js';
import { NOT_DUMPED, demoEpilogue, demoPrologue, readDemoSnapshot, type DemoSnapshot } from './docker-init/demo-data-sql.js';

const COMMAND = 'npm run db:generate-init';
/** POSTGRES_DB in docker-compose.yml: the init script grants to this database's own roles. */
const COMPOSE_DATABASE = 'nexus';
const OUT_DIR = path.join(projectRoot, 'docker', 'initdb');
// The container is postgres:15; a newer pg_dump writes settings PostgreSQL 15 rejects
// (pg_dump 17 emits SET transaction_timeout), so only a 15 client will do.
const PG_MAJOR = 15;

const log = (line: string) => console.error(line);

function pgDumpMajor(bin: string): number | undefined {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const match = /\(PostgreSQL\)\s+(\d+)/.exec(result.stdout);
  return match ? Number(match[1]) : undefined;
}

/** PG_DUMP, then PATH, then Debian's versioned folder; embedded-postgres ships no pg_dump. */
function findPgDump(): string {
  const candidates = [
    process.env.PG_DUMP,
    ...(process.env.PATH ?? '')
      .split(path.delimiter)
      .filter(Boolean)
      .map((dir) => path.join(dir, 'pg_dump')),
    `/usr/lib/postgresql/${PG_MAJOR}/bin/pg_dump`,
  ].filter((c): c is string => Boolean(c) && fs.existsSync(c as string));
  const seen: string[] = [];
  for (const candidate of candidates) {
    const major = pgDumpMajor(candidate);
    if (major === PG_MAJOR) return candidate;
    seen.push(`${candidate} (version ${major ?? 'unknown'})`);
  }
  throw new Error(
    `${COMMAND} needs pg_dump ${PG_MAJOR} (the embedded PostgreSQL has none). ` +
      (seen.length ? `Found only: ${seen.join(', ')}. ` : 'None was found on PATH nor in /usr/lib/postgresql/15/bin. ') +
      `Install the PostgreSQL ${PG_MAJOR} client (Debian/Ubuntu: apt-get install postgresql-client-${PG_MAJOR}) or set PG_DUMP to its path.`,
  );
}

interface Server {
  /** Superuser-ish URL of the server's maintenance database. */
  url: string;
  stop(): Promise<void>;
}

async function openServer(): Promise<Server> {
  const given = process.env.DATABASE_URL || process.env.TEST_DATABASE_URL;
  if (given) {
    log(`Using the PostgreSQL server of ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'TEST_DATABASE_URL'} for a scratch database.`);
    return { url: withDatabase(given, 'postgres'), async stop() {} };
  }
  // A folder that does not exist yet: startEmbeddedPostgres creates its parents traversable,
  // which the postgres OS user needs when this runs as root (mkdtemp's 0700 would not do).
  const root = path.join(os.tmpdir(), `nexus-docker-init-${process.pid}-${crypto.randomBytes(3).toString('hex')}`);
  log('Starting a throwaway embedded PostgreSQL...');
  const cluster = await startEmbeddedPostgres({ dataDir: path.join(root, 'postgres'), port: await freeLocalPort(), durable: false, removeOnStop: true, log });
  return {
    url: cluster.url,
    async stop() {
      await cluster.stop();
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The CREATE TABLE that umzug's SequelizeStorage issued for `table`, as Sequelize logged it. */
function storageDdl(statements: string[], table: string): string {
  const prefix = `CREATE TABLE IF NOT EXISTS "${table}" `;
  const found = statements.find((s) => s.startsWith(prefix));
  if (!found) throw new Error(`umzug's storage did not create "${table}" with a CREATE TABLE IF NOT EXISTS; update ${path.basename(import.meta.url)}`);
  return found.trim().replace(/;?$/, ';');
}

function runPgDump(pgDump: string, databaseUrl: string): string {
  // The password goes through the environment, not the command line others can list.
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  const result = spawnSync(
    pgDump,
    [
      '--data-only',
      '--inserts',
      '--column-inserts',
      '--no-owner',
      '--no-privileges',
      // Triggers are switched off for the whole load by demo-data-sql.ts (session_replication_role),
      // not per table: pg_dump's --disable-triggers names every table, audit partitions included.
      ...NOT_DUMPED.map((table) => `--exclude-table-data=${table}`),
      `--dbname=${url.toString()}`,
    ],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } },
  );
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`pg_dump failed (exit ${result.status}): ${result.stderr.trim()}`);
  if (result.stderr.trim()) log(`pg_dump: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * Recent pg_dump releases fence their output with \restrict KEY ... \unrestrict KEY: psql-only
 * meta-commands with a random key. Older psql and plain clients (the tests) reject them, and the
 * key would change the file on every run; the file is reviewed in git, so the fence adds nothing.
 * The server/client version lines go for the same reason: they depend on who ran the generator.
 */
function cleanDump(dump: string): string {
  return dump
    .split('\n')
    .filter((line) => !/^\\(un)?restrict\b/.test(line) && !/^-- Dumped (from database|by pg_dump) version/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function header(lines: string[]): string {
  return [
    `-- GENERATED by \`${COMMAND}\` (scripts/generate-docker-init.ts). Do not edit: change the`,
    '-- migrations or seeders and run the command again.',
    '--',
    ...lines.map((l) => (l ? `-- ${l}` : '--')),
  ].join('\n');
}

function initSql(migrationFiles: string[], migrationsDdl: string, applied: string[]): string {
  const parts = [
    header([
      'The schema of every migrations/*.up.sql in name order, then schema_migrations exactly as',
      "umzug's SequelizeStorage creates it, listing each migration as applied so that the app's",
      'migrator starts with nothing to do. One transaction: a failure leaves no half schema.',
    ]),
    '',
    'SET client_min_messages = warning;',
    '',
    'BEGIN;',
    '',
    "-- Made as the database's owner (00-owner.sh made it nexus_user), not as whoever runs this script:",
    '-- the postgres image runs it as the cluster superuser, which must own nothing of NEXUS.',
    "SELECT set_config('role', pg_get_userbyid(datdba)::text, true) FROM pg_database WHERE datname = current_database();",
  ];
  for (const file of migrationFiles) {
    const sql = bindRoleNames(fs.readFileSync(path.join(migrationsDir, file), 'utf8'), databaseRolesFor(COMPOSE_DATABASE)).trim();
    parts.push(
      '',
      `-- ======================================== migrations/${file}`,
      '',
      sql,
      '',
      `-- ======================================== end of migrations/${file}`,
    );
  }
  const values = applied.map((name) => `  ('${name.replace(/'/g, "''")}', now(), now())`).join(',\n');
  parts.push(
    '',
    `-- ======================================== ${MIGRATIONS_TABLE} (umzug SequelizeStorage)`,
    '',
    migrationsDdl,
    `INSERT INTO "${MIGRATIONS_TABLE}" ("name", "created_at", "updated_at") VALUES`,
    `${values};`,
    '',
    'COMMIT;',
    '',
  );
  return parts.join('\n');
}

function seedSql(seedsDdl: string, dump: string, snapshot: DemoSnapshot): string {
  return [
    header([
      'Demo data for a new database, loaded after 01-init.sql: what the seeders in seeders/ wrote',
      'to a freshly migrated database (pg_dump --data-only), made to load on any date: every date',
      'and time in it moves forward by the time since it was generated, so the shop looks as it',
      'did on the day it was seeded, and its audit rows are appended by the load itself, under',
      "the seeder's system actor (see scripts/docker-init/demo-data-sql.ts). Demo logins share the",
      'published password in seeders/demo-users.ts: remove this file from docker/initdb for a real',
      'deployment.',
      '',
      `${SEEDS_TABLE} is created by the seeder's storage (not a migration) and lists the seeders`,
      'as run, so the app does not seed again when SEED_DEMO_DATA=true.',
    ]),
    '',
    'BEGIN;',
    '',
    demoPrologue(snapshot),
    '',
    seedsDdl,
    '',
    dump,
    '',
    demoEpilogue(snapshot),
    '',
    'COMMIT;',
    '',
  ].join('\n');
}

async function main(): Promise<void> {
  const pgDump = findPgDump();
  const migrationFiles = listMigrationFiles();
  if (migrationFiles.length === 0) throw new Error(`no migrations in ${migrationsDir}`);

  const server = await openServer();
  const scratch = `nexus_docker_init_${process.pid}_${crypto.randomBytes(3).toString('hex')}`;
  try {
    await onServer(server.url, `CREATE DATABASE ${scratch}`);
    const scratchUrl = withDatabase(server.url, scratch);
    const statements: string[] = [];
    const open = () =>
      createSequelize({
        url: scratchUrl,
        poolMax: 2,
        acquireTimeoutMs: 10_000,
        log: (sql) => statements.push(sql.replace(/^Executing \([^)]*\): /, '')),
      });
    // One Sequelize each: umzug's SequelizeStorage reuses a model already defined under its
    // default name, so a seeder sharing the migrator's instance would record itself in
    // schema_migrations and never create schema_seeds.
    const migrating = open();
    let applied: string[];
    try {
      log(`Migrating a scratch database (${migrationFiles.length} migration(s))...`);
      applied = (await createMigrator(migrating).up()).map((m) => m.name);
    } finally {
      await migrating.close();
    }
    const expected = migrationFiles.map((f) => f.replace(/\.up\.sql$/, ''));
    if (applied.join('\n') !== expected.join('\n')) {
      throw new Error(`the migrator applied [${applied.join(', ')}], expected [${expected.join(', ')}]`);
    }
    const seeding = open();
    try {
      log('Running the seeders...');
      const seeded = await createSeeder(seeding).up();
      log(`Seeded: ${seeded.map((s) => s.name).join(', ') || '(no seeders)'}`);
    } finally {
      await seeding.close();
    }

    log(`Dumping the data with ${pgDump}...`);
    const dump = cleanDump(runPgDump(pgDump, scratchUrl));
    const snapshot = await readDemoSnapshot(scratchUrl);
    // Without these rows the app would run the seeders again over the loaded data.
    if (!dump.includes(`INSERT INTO public.${SEEDS_TABLE} `)) throw new Error(`the dump records no seeder in ${SEEDS_TABLE}`);

    // Both built before either is written, so a failure leaves the committed pair as it was.
    const init = initSql(migrationFiles, storageDdl(statements, MIGRATIONS_TABLE), applied);
    const seed = seedSql(storageDdl(statements, SEEDS_TABLE), dump, snapshot);
    fs.mkdirSync(OUT_DIR, { recursive: true });
    const initFile = path.join(OUT_DIR, '01-init.sql');
    const seedFile = path.join(OUT_DIR, '02-seed-data.sql');
    fs.writeFileSync(initFile, init);
    fs.writeFileSync(seedFile, seed);
    console.log(`wrote ${path.relative(projectRoot, initFile)}\nwrote ${path.relative(projectRoot, seedFile)}`);
  } finally {
    const roles = databaseRolesFor(scratch);
    await onServer(server.url, `DROP DATABASE IF EXISTS ${scratch} WITH (FORCE)`).catch((error) => log(`could not drop ${scratch}: ${error}`));
    // The scratch database's own roles (its migrations made them): nothing else uses them.
    await onServer(server.url, `DROP ROLE IF EXISTS ${roles.runtime}, ${roles.app}`).catch((error) => log(`could not drop the roles of ${scratch}: ${error}`));
    await server.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
