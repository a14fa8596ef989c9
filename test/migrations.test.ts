import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createMigrationFiles, createMigrator, listMigrationFiles } from '../src/db/migrator.js';
import { databaseRolesFor } from '../src/db/database-roles.js';
import { asOwnerWithoutCreateRole, createEmptyDatabase, type TestDatabase } from './support/test-database.js';

let db: TestDatabase;

beforeAll(async () => {
  db = await createEmptyDatabase();
});
afterAll(async () => {
  await db.drop();
});

async function tables(): Promise<string[]> {
  const res = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  return res.rows.map((r) => r.name);
}

describe('migrations', () => {
  it('go up, all the way down, and up again, recording their history', async () => {
    const migrator = createMigrator(db.sequelize);
    const all = listMigrationFiles().map((f) => f.replace(/\.up\.sql$/, ''));
    expect(all.length).toBeGreaterThan(0);

    await migrator.up();
    const afterUp = await tables();
    for (const t of [
      'users',
      'customers',
      'parts',
      'revisions',
      'work_centers',
      'work_orders',
      'travelers',
      'traveler_steps',
      'traveler_sub_steps',
      'process_steps',
      'sub_steps',
      'manual_steps',
      'labor_entries',
      'approvals',
      'audit_logs',
      'sessions',
    ]) {
      expect(afterUp).toContain(t);
    }
    expect((await migrator.executed()).map((m) => m.name)).toEqual(all);
    expect(await migrator.pending()).toEqual([]);
    const history = await db.query<{ name: string; created_at: Date }>('SELECT name, created_at FROM schema_migrations ORDER BY name');
    expect(history.rows.map((r) => r.name)).toEqual(all);
    expect(history.rows.every((r) => r.created_at instanceof Date)).toBe(true);

    await migrator.down({ to: 0 });
    expect(await tables()).toEqual(['schema_migrations']);
    expect(await migrator.executed()).toEqual([]);
    // Nothing else left behind: no function, type or extension the migrations made.
    const leftovers = await db.query<{ what: string }>(
      `SELECT 'function ' || p.proname AS what FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'
       UNION ALL SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
       UNION ALL SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd') ORDER BY 1`,
    );
    expect(leftovers.rows).toEqual([]);

    await migrator.up();
    expect(await tables()).toEqual(afterUp);
  });

  it('undo removes exactly the latest migration', async () => {
    const migrator = createMigrator(db.sequelize);
    await migrator.up();
    const executed = (await migrator.executed()).map((m) => m.name);
    await migrator.down();
    expect((await migrator.executed()).map((m) => m.name)).toEqual(executed.slice(0, -1));
    await migrator.up();
    expect((await migrator.executed()).map((m) => m.name)).toEqual(executed);
  });

  it('a failing migration changes nothing and is not recorded', async () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-migrations-'));
    fs.writeFileSync(path.join(folder, '20990101000000-broken.up.sql'), 'CREATE TABLE half_done (id int);\nSELECT no_such_function();\n');
    fs.writeFileSync(path.join(folder, '20990101000000-broken.down.sql'), 'DROP TABLE half_done;\n');
    const migrator = createMigrator(db.sequelize, folder);
    await expect(migrator.up()).rejects.toThrow(/no_such_function/);
    expect(await tables()).not.toContain('half_done');
    const recorded = await db.query('SELECT 1 FROM schema_migrations WHERE name = $1', ['20990101000000-broken']);
    expect(recorded.rowCount).toBe(0);
    fs.rmSync(folder, { recursive: true, force: true });
  });

  it('creates an empty, timestamped migration pair and refuses a bad name', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-migrations-'));
    const [up, down] = createMigrationFiles('add-scrap-reasons', folder, new Date('2026-11-26T10:20:30Z'));
    expect(path.basename(up)).toBe('20261126102030-add-scrap-reasons.up.sql');
    expect(path.basename(down)).toBe('20261126102030-add-scrap-reasons.down.sql');
    expect(fs.readFileSync(up, 'utf8')).toMatch(/^-- add-scrap-reasons/);
    expect(() => createMigrationFiles('Add Scrap', folder)).toThrow(/lowercase words joined by hyphens/);
    expect(listMigrationFiles(folder)).toEqual(['20261126102030-add-scrap-reasons.up.sql']);
    fs.rmSync(folder, { recursive: true, force: true });
  });
});

describe('migrations by an owner a DBA set up', () => {
  it("run to the end for an owner that may not create roles, when the DBA made the database's two roles", async () => {
    let roles: ReturnType<typeof databaseRolesFor> | undefined;
    await asOwnerWithoutCreateRole(
      async (admin, target) => {
        // What a DBA does once: the database's two roles (named after it, as docs/operations.md
        // says) and the membership.
        roles = databaseRolesFor(target.name);
        await admin.query(`CREATE ROLE ${roles.app} NOLOGIN; CREATE ROLE ${roles.runtime} LOGIN; GRANT ${roles.app} TO ${roles.runtime}`);
      },
      async (sequelize, target) => {
        const applied = await createMigrator(sequelize).up();
        expect(applied.map((m) => m.name)).toEqual(listMigrationFiles().map((f) => f.replace(/\.up\.sql$/, '')));
        const [{ rolcreaterole }] = (await sequelize.query(`SELECT rolcreaterole FROM pg_roles WHERE rolname = current_user`, {
          type: 'SELECT' as never,
        })) as unknown as [{ rolcreaterole: boolean }];
        expect(rolcreaterole).toBe(false);
        expect(await target.roles()).toEqual(roles);
      },
    );
  });
});
