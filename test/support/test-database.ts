import crypto from 'node:crypto';
import pg from 'pg';
import type { Sequelize } from 'sequelize';
import { createSequelize, withDatabase } from '../../src/db/database.js';
import { currentDatabaseRoles, databaseRolesFor, type DatabaseRoles } from '../../src/db/database-roles.js';

export interface TestDatabase {
  /** URL of this file's private database (superuser on the test server). */
  url: string;
  name: string;
  sequelize: Sequelize;
  /**
   * Runs SQL on a fresh connection outside Sequelize, as a script would, acting as the named
   * system actor "test" (audited tables refuse writes without an actor).
   */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The same with no actor at all: for proving that such writes are refused. */
  queryWithoutActor<R extends pg.QueryResultRow = pg.QueryResultRow>(sql: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The roles this database grants to (the run's template's, for a clone: src/db/database-roles.ts). */
  roles(): Promise<DatabaseRoles>;
  drop(): Promise<void>;
}

function serverUrl(): string {
  const url = process.env.NEXUS_TEST_SERVER_URL;
  if (!url) throw new Error('NEXUS_TEST_SERVER_URL is not set: run tests through jest (global-setup starts PostgreSQL)');
  return url;
}

async function onServer<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl(), 'postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function open(name: string): Promise<TestDatabase> {
  const url = withDatabase(serverUrl(), name);
  // Roomy: CI runs two test files at once on two cores, and a slow moment is not a failure.
  const sequelize = createSequelize({ url, poolMax: 8, acquireTimeoutMs: 30_000 });
  return {
    url,
    name,
    sequelize,
    async query(sql, params) {
      return runOnce(url, sql, params, TEST_ACTOR);
    },
    async queryWithoutActor(sql, params) {
      return runOnce(url, sql, params, null);
    },
    async roles() {
      return currentDatabaseRoles(sequelize);
    },
    async drop() {
      await sequelize.close();
      await onServer((c) => dropDatabaseAndItsRoles(c, name));
    },
  };
}

/**
 * Roles are per server: a database that got roles of its own (migrated from empty, or adopted
 * as a copy at an app start) leaves them behind unless they go with it.
 */
export async function dropDatabaseAndItsRoles(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`);
  const roles = databaseRolesFor(name);
  await client.query(`DROP ROLE IF EXISTS ${roles.runtime}, ${roles.app}`);
}

/** Drops a login made for one test (roles are per server and outlive the database). */
export async function dropRole(name: string): Promise<void> {
  await onServer((c) => c.query(`DROP ROLE IF EXISTS ${c.escapeIdentifier(name)}`));
}

export const TEST_ACTOR = JSON.stringify({ kind: 'system', name: 'test', requestId: 'test' });

/** A session-level actor, for raw connections in tests that write audited tables. */
export async function actAsTestSystem(client: pg.Client): Promise<void> {
  await client.query(`SELECT set_config('nexus.actor', $1, false)`, [TEST_ACTOR]);
}

async function runOnce<R extends pg.QueryResultRow>(url: string, sql: string, params: unknown[] | undefined, actor: string | null): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    if (actor) await client.query(`SELECT set_config('nexus.actor', $1, false)`, [actor]);
    return await client.query<R>(sql, params as unknown[]);
  } finally {
    await client.end();
  }
}

function uniqueName(): string {
  return `${process.env.NEXUS_TEST_TEMPLATE_DB}_${crypto.randomBytes(5).toString('hex')}`;
}

/** A private, fully migrated database for one test file (cloned from the run's template). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = uniqueName();
  const template = process.env.NEXUS_TEST_TEMPLATE_DB;
  if (!template) throw new Error('NEXUS_TEST_TEMPLATE_DB is not set');
  await onServer((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)} TEMPLATE ${c.escapeIdentifier(template)}`));
  return open(name);
}

/** A private database with no schema at all, for migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  const name = uniqueName();
  await onServer((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
  return open(name);
}

/**
 * A new empty database owned by a login with neither CREATEROLE nor superuser, as a DBA sets one
 * up; `prepare` runs first as the superuser (e.g. the DBA making the database's roles), `work`
 * then runs connected as that owner. The database and the owner are dropped afterwards.
 */
export async function asOwnerWithoutCreateRole<T>(
  prepare: (admin: pg.Client, target: TestDatabase) => Promise<void>,
  work: (sequelize: Sequelize, target: TestDatabase) => Promise<T>,
): Promise<T> {
  const target = await createEmptyDatabase();
  const owner = `nexus_limited_owner_${crypto.randomBytes(4).toString('hex')}`;
  const password = crypto.randomBytes(12).toString('hex');
  const admin = new pg.Client({ connectionString: withDatabase(target.url, 'postgres') });
  await admin.connect();
  try {
    await prepare(admin, target);
    await admin.query(`CREATE ROLE ${owner} LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD '${password}'`);
    await admin.query(`ALTER DATABASE ${admin.escapeIdentifier(target.name)} OWNER TO ${owner}`);
    const asOwner = new URL(target.url);
    asOwner.username = owner;
    asOwner.password = password;
    const sequelize = createSequelize({ url: asOwner.toString(), poolMax: 1, acquireTimeoutMs: 10_000 });
    try {
      return await work(sequelize, target);
    } finally {
      await sequelize.close();
    }
  } finally {
    await target.drop();
    await admin.query(`DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  }
}

/**
 * The SQL a Sequelize instance sent while `work` ran, as PostgreSQL received it (Sequelize reads
 * its logging option at each query; its types do not show `options`).
 */
export async function statementsDuring<T>(sequelize: Sequelize, work: () => Promise<T>): Promise<{ result: T; statements: string[] }> {
  const statements: string[] = [];
  const settings = (sequelize as unknown as { options: { logging: unknown } }).options;
  const logging = settings.logging;
  settings.logging = (sql: string) => statements.push(sql.replace(/^Execut(ed|ing) \([^)]*\): /, '').replace(/;\s*$/, ''));
  try {
    return { result: await work(), statements };
  } finally {
    settings.logging = logging;
  }
}
