import fs from 'node:fs';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';
import { systemActor } from '../audit/actor.js';
import { migrationsDir } from '../paths.js';
import { adoptDatabaseRoles, bindRoleNames, currentDatabaseRoles, type DatabaseRoles } from './database-roles.js';

export const MIGRATIONS_TABLE = 'schema_migrations';

/**
 * Migrations are plain SQL pairs (NAME.up.sql / NAME.down.sql): the schema is PostgreSQL's
 * (partitions, partial indexes, CHECKs, triggers), so it is written in PostgreSQL's language,
 * and the docker init script is their concatenation. Each file runs in one transaction.
 *
 * Migrations write ${app_role} and ${runtime_role} for the database's own roles (Flyway's
 * placeholders); each run first gives a copied database roles of its own, then binds the names
 * once, so every file of the run grants to the same roles. `options.roles` names them instead
 * (tests standing in for the compose database, whose name they cannot take).
 */
export function createMigrator(sequelize: Sequelize, folder = migrationsDir, options: { roles?: DatabaseRoles } = {}) {
  let roles: Promise<DatabaseRoles> | undefined;
  const rolesForRun = () =>
    (roles ??= options.roles
      ? Promise.resolve(options.roles)
      : (async () => {
          await adoptDatabaseRoles(sequelize);
          return currentDatabaseRoles(sequelize);
        })());
  return new Umzug({
    migrations: {
      glob: ['*.up.sql', { cwd: folder }],
      resolve: ({ name, path: upPath }) => {
        if (!upPath) throw new Error(`migration ${name} has no path`);
        const base = name.replace(/\.up\.sql$/, '');
        const downPath = path.join(path.dirname(upPath), `${base}.down.sql`);
        const runFile = (file: string) => async () => {
          const sql = bindRoleNames(fs.readFileSync(file, 'utf8'), await rolesForRun());
          await sequelize.transaction(async (transaction) => {
            // A migration that changes data is audited like any other writer, under its own name.
            await sequelize.query(`SELECT set_config('nexus.actor', $1, true)`, {
              bind: [JSON.stringify(systemActor(`migration:${base}`))],
              transaction,
            });
            await sequelize.query(sql, { transaction });
          });
        };
        return {
          name: base,
          up: runFile(upPath),
          down: async () => {
            if (!fs.existsSync(downPath)) throw new Error(`migration ${base} has no ${path.basename(downPath)}; it cannot be undone`);
            await runFile(downPath)();
          },
        };
      },
    },
    // Each storage needs its own model name: umzug's default is shared, and a second storage on the
    // same Sequelize would silently write into the first one's table.
    storage: new SequelizeStorage({ sequelize, modelName: 'SchemaMigration', tableName: MIGRATIONS_TABLE, timestamps: true }),
    logger: undefined,
  });
}

export function listMigrationFiles(folder = migrationsDir): string[] {
  return fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.up.sql'))
    .sort();
}

/** Writes an empty, timestamped migration pair and returns the two paths. */
export function createMigrationFiles(name: string, folder = migrationsDir, now = new Date()): [string, string] {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
    throw new Error(`migration name "${name}" must be lowercase words joined by hyphens, e.g. add-scrap-reasons`);
  }
  const stamp = now.toISOString().replace(/\D/g, '').slice(0, 14);
  const base = path.join(folder, `${stamp}-${name}`);
  const up = `${base}.up.sql`;
  const down = `${base}.down.sql`;
  if (fs.existsSync(up) || fs.existsSync(down)) throw new Error(`${up} already exists`);
  fs.writeFileSync(up, `-- ${name}: what this migration changes and why.\n`);
  fs.writeFileSync(down, `-- ${name}: undo exactly what the .up.sql file did.\n`);
  return [up, down];
}
