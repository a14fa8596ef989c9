import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { QueryTypes } from 'sequelize';
import { LEGACY_ROLES, adoptDatabaseRoles, bindRoleNames, databaseRolesFor, type DatabaseRoles } from '../src/db/database-roles.js';
import { createMigrator, listMigrationFiles } from '../src/db/migrator.js';
import { ensureRuntimeLogin, runtimeUrlFor } from '../src/db/runtime-role.js';
import { asOwnerWithoutCreateRole, createEmptyDatabase, createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * Role names are per server, NEXUS databases per database. Two NEXUS databases on one server
 * (here: the test server) must not share a privilege, a membership or a password: each has
 * roles named after it, a copy gets its own, and undoing one's migrations leaves the other be.
 */

interface Outcome {
  code?: string;
  rows?: number;
}

/** One statement on a fresh connection as `login` (with its password) to `database`. */
async function asLogin(url: string, login: string, password: string, sql: string): Promise<Outcome> {
  const client = new pg.Client({ connectionString: runtimeUrlFor(url, login, password) });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query(sql);
    return { rows: result.rowCount ?? 0 };
  } catch (error) {
    return { code: (error as { code?: string }).code };
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function privilegesOf(db: TestDatabase, role: string): Promise<{ tables: number; functions: number; schema: boolean }> {
  const { rows } = await db.query<{ tables: number; functions: number; schema: boolean }>(
    `SELECT (SELECT count(*)::int FROM pg_class c, aclexplode(c.relacl) a WHERE c.relnamespace = 'public'::regnamespace AND a.grantee = r.oid) AS tables,
            (SELECT count(*)::int FROM pg_proc p, aclexplode(p.proacl) a WHERE p.pronamespace = 'public'::regnamespace AND a.grantee = r.oid) AS functions,
            EXISTS (SELECT 1 FROM pg_namespace n, aclexplode(n.nspacl) a WHERE n.nspname = 'public' AND a.grantee = r.oid) AS schema
       FROM pg_roles r WHERE r.rolname = $1`,
    [role],
  );
  return rows[0] ?? { tables: 0, functions: 0, schema: false };
}

async function isMember(db: TestDatabase, member: string, group: string): Promise<boolean> {
  const { rows } = await db.query<{ member: boolean }>(
    `SELECT EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $2)
                                                  AND m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)) AS member`,
    [member, group],
  );
  return rows[0]!.member;
}

/** A plain database name's roles, spelled out: the name with _app and _runtime (pinned under "role names"). */
function ownRoles(database: string): DatabaseRoles {
  expect(database).toMatch(/^[a-z_][a-z0-9_]{0,50}$/);
  return { app: `${database}_app`, runtime: `${database}_runtime` };
}

describe('role names', () => {
  it('are the database name with _app and _runtime: nexus keeps nexus_app and nexus_runtime', () => {
    expect(databaseRolesFor('nexus')).toEqual({ app: 'nexus_app', runtime: 'nexus_runtime' });
    expect(databaseRolesFor('shop2')).toEqual({ app: 'shop2_app', runtime: 'shop2_runtime' });
  });

  it('are plain identifiers of at most 63 bytes, and two different databases never get the same', () => {
    const names = ['My-Shop', 'my_shop', '2shop', 'ünïcode', 'x'.repeat(63), `${'x'.repeat(62)}y`, 'a"b', "a'b"];
    const roles = names.map(databaseRolesFor);
    for (const { app, runtime } of roles) {
      for (const name of [app, runtime]) expect(name).toMatch(/^[a-z_][a-z0-9_]{0,62}$/);
    }
    const all = roles.flatMap((r) => [r.app, r.runtime]);
    expect(new Set(all).size).toBe(all.length);
  });

  it("are bound into a migration's placeholders, and nothing else is touched", () => {
    const sql = "GRANT SELECT ON t TO ${app_role}; GRANT ${app_role} TO ${runtime_role}; SELECT nexus_applying_approval(), '$${x}$$';";
    expect(bindRoleNames(sql, { app: 'shop2_app', runtime: 'shop2_runtime' })).toBe(
      "GRANT SELECT ON t TO shop2_app; GRANT shop2_app TO shop2_runtime; SELECT nexus_applying_approval(), '$${x}$$';",
    );
  });
});

describe('two NEXUS databases on one server', () => {
  let first: TestDatabase;
  let second: TestDatabase;
  let firstRoles: DatabaseRoles;
  let secondRoles: DatabaseRoles;
  const firstPassword = crypto.randomBytes(12).toString('hex');
  const secondPassword = crypto.randomBytes(12).toString('hex');

  beforeAll(async () => {
    [first, second] = await Promise.all([createEmptyDatabase(), createEmptyDatabase()]);
    await createMigrator(first.sequelize).up();
    await createMigrator(second.sequelize).up();
    [firstRoles, secondRoles] = await Promise.all([first.roles(), second.roles()]);
    // What each app's start does with its own DATABASE_URL.
    expect(await ensureRuntimeLogin(first.sequelize, runtimeUrlFor(first.url, firstRoles.runtime, firstPassword))).toEqual({
      outcome: 'ready',
      appRole: firstRoles.app,
    });
    expect(await ensureRuntimeLogin(second.sequelize, runtimeUrlFor(second.url, secondRoles.runtime, secondPassword))).toEqual({
      outcome: 'ready',
      appRole: secondRoles.app,
    });
  }, 120_000);

  afterAll(async () => {
    await Promise.all([first?.drop(), second?.drop()]);
  });

  it('each have roles of their own, named after them and recorded in them', () => {
    expect(firstRoles).toEqual(ownRoles(first.name));
    expect(secondRoles).toEqual(ownRoles(second.name));
    expect(firstRoles.app).not.toBe(secondRoles.app);
  });

  it("grant nothing to each other's roles: one database's runtime login cannot read or write the other", async () => {
    expect(await privilegesOf(first, firstRoles.app)).toMatchObject({ schema: true });
    expect((await privilegesOf(first, firstRoles.app)).tables).toBeGreaterThan(20);
    expect(await privilegesOf(first, secondRoles.app)).toEqual({ tables: 0, functions: 0, schema: false });
    expect(await privilegesOf(second, firstRoles.app)).toEqual({ tables: 0, functions: 0, schema: false });
    // Nor the shared name every database used before: it holds nothing in either.
    expect(await privilegesOf(first, LEGACY_ROLES.app)).toEqual({ tables: 0, functions: 0, schema: false });

    expect(await asLogin(first.url, firstRoles.runtime, firstPassword, 'SELECT count(*) FROM users')).toEqual({ rows: 1 });
    expect(await asLogin(second.url, firstRoles.runtime, firstPassword, 'SELECT count(*) FROM users')).toEqual({ code: '42501' });
    expect(
      await asLogin(
        second.url,
        firstRoles.runtime,
        firstPassword,
        `SELECT set_config('nexus.actor', '{"kind":"system","name":"x"}', false); DELETE FROM customers`,
      ),
    ).toEqual({ code: '42501' });
    expect(await asLogin(first.url, secondRoles.runtime, secondPassword, 'SELECT count(*) FROM audit_logs')).toEqual({ code: '42501' });
    expect(await asLogin(second.url, secondRoles.runtime, secondPassword, 'SELECT count(*) FROM users')).toEqual({ rows: 1 });
  });

  it("do not take turns at one login's password: an app pointed at another database's login leaves its password alone", async () => {
    // The stored verifier, not a login attempt: the machine's PostgreSQL may trust local logins.
    const verifierOf = async (login: string) =>
      (await first.query<{ v: string | null }>('SELECT rolpassword AS v FROM pg_authid WHERE rolname = $1', [login])).rows[0]!.v;
    const firstVerifier = await verifierOf(firstRoles.runtime);
    expect(firstVerifier).toMatch(/^SCRAM-SHA-256\$|^md5/);
    const result = await ensureRuntimeLogin(second.sequelize, runtimeUrlFor(second.url, firstRoles.runtime, crypto.randomBytes(12).toString('hex')));
    try {
      expect(result.warning).toMatch(
        new RegExp(`"${firstRoles.runtime}" also belongs to ${firstRoles.app}.*password was left as it is.*${secondRoles.runtime}`),
      );
      expect(await verifierOf(firstRoles.runtime)).toBe(firstVerifier);
    } finally {
      await second.query(`REVOKE ${secondRoles.app} FROM ${firstRoles.runtime}`);
    }
    // Its own login, on the other hand, follows DATABASE_URL's password (rotation).
    const secondVerifier = await verifierOf(secondRoles.runtime);
    expect(await ensureRuntimeLogin(second.sequelize, runtimeUrlFor(second.url, secondRoles.runtime, crypto.randomBytes(12).toString('hex')))).toEqual({
      outcome: 'ready',
      appRole: secondRoles.app,
    });
    expect(await verifierOf(secondRoles.runtime)).not.toBe(secondVerifier);
    await second.query(`ALTER ROLE ${secondRoles.runtime} PASSWORD '${secondPassword}'`);
  });

  it('undoing every migration of one leaves the other whole: its membership, its grants, its login', async () => {
    const migrator = createMigrator(second.sequelize);
    await migrator.down({ to: 0 });
    // (schema_migrations stays: umzug's own table, empty now.)
    expect(
      await second.query(`SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname NOT LIKE 'schema\\_migrations%'`),
    ).toMatchObject({ rows: [{ n: 0 }] });
    expect(await isMember(second, secondRoles.runtime, secondRoles.app)).toBe(false);

    expect(await isMember(first, firstRoles.runtime, firstRoles.app)).toBe(true);
    expect((await privilegesOf(first, firstRoles.app)).tables).toBeGreaterThan(20);
    expect(await asLogin(first.url, firstRoles.runtime, firstPassword, 'SELECT count(*) FROM users')).toEqual({ rows: 1 });

    // And the undone one comes back whole.
    await createMigrator(second.sequelize).up();
    expect(await second.roles()).toEqual(secondRoles);
    expect(await isMember(second, secondRoles.runtime, secondRoles.app)).toBe(true);
    expect(await asLogin(second.url, secondRoles.runtime, secondPassword, 'SELECT count(*) FROM users')).toEqual({ rows: 1 });
  }, 120_000);
});

describe('a copy of a NEXUS database', () => {
  let copy: TestDatabase;
  let sibling: TestDatabase;

  beforeAll(async () => {
    // Both made with CREATE DATABASE ... TEMPLATE from the run's template: they grant to its roles.
    [copy, sibling] = await Promise.all([createTestDatabase(), createTestDatabase()]);
  });

  afterAll(async () => {
    await Promise.all([copy?.drop(), sibling?.drop()]);
  });

  it("gets roles of its own at its owner's first migrate or start, and its source's roles lose it, not anything else", async () => {
    const source = await copy.roles();
    expect(source).not.toEqual(ownRoles(copy.name));
    const before = await privilegesOf(copy, source.app);
    expect(before.tables).toBeGreaterThan(20);

    const adopted = await adoptDatabaseRoles(copy.sequelize);
    expect(adopted).toEqual({ from: source, to: ownRoles(copy.name) });
    const own = await copy.roles();
    expect(own).toEqual(ownRoles(copy.name));
    expect(await privilegesOf(copy, own.app)).toEqual(before);
    expect(await privilegesOf(copy, source.app)).toEqual({ tables: 0, functions: 0, schema: false });
    expect(await isMember(copy, own.runtime, own.app)).toBe(true);
    // The source's other copy still grants to the source's roles.
    expect(await privilegesOf(sibling, source.app)).toEqual(before);
    // Done once: a second start has nothing to move, and the migrator binds the copy's own names.
    expect(await adoptDatabaseRoles(copy.sequelize)).toBeNull();
    expect(await createMigrator(copy.sequelize).pending()).toEqual([]);
  });
});

describe('a database migrated when every NEXUS database shared nexus_app', () => {
  let legacy: TestDatabase;

  beforeAll(async () => {
    legacy = await createEmptyDatabase();
  });

  afterAll(async () => {
    await legacy?.drop();
  });

  it('moves its grants from the shared role to roles of its own, and the app start makes its login a member', async () => {
    const before = listMigrationFiles().map((f) => f.replace(/\.up\.sql$/, ''));
    const last = before[before.indexOf('20261206000300-database-roles') - 1]!;
    await createMigrator(legacy.sequelize, undefined, { roles: LEGACY_ROLES }).up({ to: last });
    const shared = await privilegesOf(legacy, LEGACY_ROLES.app);
    expect(shared.tables).toBeGreaterThan(20);

    await createMigrator(legacy.sequelize).up({ to: '20261206000300-database-roles' });
    const own = ownRoles(legacy.name);
    expect(await legacy.roles()).toEqual(own);
    // Everything the shared role had, and SELECT on the table that records the roles.
    expect(await privilegesOf(legacy, own.app)).toEqual({ ...shared, tables: shared.tables + 1 });
    expect(await privilegesOf(legacy, LEGACY_ROLES.app)).toEqual({ tables: 0, functions: 0, schema: false });
    // Later migrations grant to the database's own roles only.
    await createMigrator(legacy.sequelize).up();
    expect(await privilegesOf(legacy, LEGACY_ROLES.app)).toEqual({ tables: 0, functions: 0, schema: false });

    // The login that served it through nexus_app: made a member of the new group at start.
    const login = `nexus_legacy_login_${crypto.randomBytes(4).toString('hex')}`;
    const password = crypto.randomBytes(12).toString('hex');
    await legacy.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE ${LEGACY_ROLES.app}`);
    try {
      expect(await asLogin(legacy.url, login, password, 'SELECT count(*) FROM users')).toEqual({ code: '42501' });
      const result = await ensureRuntimeLogin(legacy.sequelize, runtimeUrlFor(legacy.url, login, password));
      expect(result).toMatchObject({ outcome: 'ready', appRole: own.app });
      expect(await asLogin(legacy.url, login, password, 'SELECT count(*) FROM users')).toEqual({ rows: 1 });
    } finally {
      await legacy.query(`DROP ROLE ${login}`);
    }
  }, 120_000);
});

describe('an owner that may not create roles', () => {
  it('is told exactly which roles to have an administrator make, and the migration that needs them is not applied', async () => {
    await asOwnerWithoutCreateRole(
      async () => undefined,
      async (sequelize, target) => {
        const roles = ownRoles(target.name);
        await expect(createMigrator(sequelize).up()).rejects.toThrow(
          new RegExp(
            `may not create roles: have an administrator run CREATE ROLE ${roles.app} NOLOGIN; CREATE ROLE ${roles.runtime} LOGIN; GRANT ${roles.app} TO ${roles.runtime}`,
          ),
        );
        const applied = await sequelize.query<{ name: string }>('SELECT name FROM schema_migrations ORDER BY name', { type: QueryTypes.SELECT });
        expect(applied.map((m) => m.name)).not.toContain('20261126000200-audit-trail');
        const [chain] = await sequelize.query<{ audit: string | null }>(`SELECT to_regclass('public.audit_chain')::text AS audit`, { type: QueryTypes.SELECT });
        expect(chain!.audit).toBeNull();
      },
    );
  });
});
