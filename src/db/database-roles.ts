import crypto from 'node:crypto';
import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * Roles are per server, NEXUS databases per database. Each NEXUS database has a group role of its
 * own (every grant the running app needs) and a default runtime login of its own, both named after
 * the database: `nexus` has `nexus_app` and `nexus_runtime`, `shop2` has `shop2_app` and
 * `shop2_runtime`. Two NEXUS databases on one server then never share a privilege, a membership
 * or a password, and undoing migrations in one cannot touch the other.
 *
 * The names in use are recorded in the database itself (table nexus_roles): a copy (CREATE
 * DATABASE ... TEMPLATE, a restore under another name, a rename) still names its source's roles
 * until its owner first migrates or starts the app, which moves its grants to roles of its own
 * (adoptDatabaseRoles).
 */
export interface DatabaseRoles {
  /** NOLOGIN group role holding every privilege of the running app in this database. */
  app: string;
  /** The login the app serves as by default (DATABASE_URL may name another member of `app`). */
  runtime: string;
}

/** The placeholders migrations write for the role names (as Flyway's ${...} placeholders). */
export const ROLE_PLACEHOLDERS = { app: '${app_role}', runtime: '${runtime_role}' } as const;

/** The shared names every NEXUS database used before roles were per database. */
export const LEGACY_ROLES: DatabaseRoles = { app: 'nexus_app', runtime: 'nexus_runtime' };

const MAX_BASE = 45;

/**
 * A database's own role names. Plain lowercase identifiers so that they need no quoting
 * anywhere; a name that had to be changed to get there (or shortened to fit PostgreSQL's 63
 * bytes with the suffix) carries a hash of the original so that two databases never meet.
 */
export function databaseRolesFor(database: string): DatabaseRoles {
  let base = database.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  if (!/^[a-z_]/.test(base)) base = `db_${base}`;
  if (base !== database || base.length > MAX_BASE) {
    const tag = crypto.createHash('sha256').update(database).digest('hex').slice(0, 8);
    base = `${base.slice(0, MAX_BASE - tag.length - 1)}_${tag}`;
  }
  return { app: `${base}_app`, runtime: `${base}_runtime` };
}

/** The migration's SQL with the database's role names in place of the placeholders. */
export function bindRoleNames(sql: string, roles: DatabaseRoles): string {
  return sql.replaceAll(ROLE_PLACEHOLDERS.app, roles.app).replaceAll(ROLE_PLACEHOLDERS.runtime, roles.runtime);
}

interface Recorded {
  database: string;
  recorded: DatabaseRoles | null;
}

async function recordedRoles(sequelize: Sequelize, transaction?: Transaction): Promise<Recorded> {
  const [here] = await sequelize.query<{ database: string; recorded: boolean }>(
    `SELECT current_database() AS database, to_regclass('public.nexus_roles') IS NOT NULL AS recorded`,
    { type: QueryTypes.SELECT, transaction },
  );
  // Before the migration that records them there is no table to read.
  if (!here!.recorded) return { database: here!.database, recorded: null };
  const [row] = await sequelize.query<{ app: string; runtime: string }>('SELECT app_role AS app, runtime_role AS runtime FROM nexus_roles', {
    type: QueryTypes.SELECT,
    transaction,
  });
  return { database: here!.database, recorded: row ? { app: row.app, runtime: row.runtime } : null };
}

/** The roles this database's grants are made to right now (its own, or a copy's source's). */
export async function currentDatabaseRoles(sequelize: Sequelize, transaction?: Transaction): Promise<DatabaseRoles> {
  const { database, recorded } = await recordedRoles(sequelize, transaction);
  return recorded ?? databaseRolesFor(database);
}

export class DatabaseRolesError extends Error {}

/**
 * Gives a copied, restored or renamed database roles of its own: creates them when missing (the
 * owner needs CREATEROLE, or a DBA makes them first), moves every grant from the roles it still
 * names to its own, records them. Nothing to do (null) for a database that already has its own.
 */
export async function adoptDatabaseRoles(owner: Sequelize): Promise<{ from: DatabaseRoles; to: DatabaseRoles } | null> {
  const { database, recorded } = await recordedRoles(owner);
  const own = databaseRolesFor(database);
  if (!recorded || (recorded.app === own.app && recorded.runtime === own.runtime)) return null;
  return owner.transaction(async (transaction) => {
    await ensureRolesExist(owner, own, transaction);
    await owner.query('SELECT nexus_move_grants(:from, :to)', { replacements: { from: recorded.app, to: own.app }, transaction });
    await owner.query('UPDATE nexus_roles SET app_role = :app, runtime_role = :runtime', { replacements: { app: own.app, runtime: own.runtime }, transaction });
    return { from: recorded, to: own };
  });
}

async function ensureRolesExist(owner: Sequelize, roles: DatabaseRoles, transaction: Transaction): Promise<void> {
  const [state] = await owner.query<{ can: boolean; user: string; has_app: boolean; has_runtime: boolean; member: boolean }>(
    `SELECT r.rolsuper OR r.rolcreaterole AS can, current_user AS user,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :app) AS has_app,
            EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :runtime) AS has_runtime,
            EXISTS (SELECT 1 FROM pg_auth_members m
                     WHERE m.roleid = (SELECT oid FROM pg_roles WHERE rolname = :app)
                       AND m.member = (SELECT oid FROM pg_roles WHERE rolname = :runtime)) AS member
       FROM pg_roles r WHERE r.rolname = current_user`,
    { replacements: { app: roles.app, runtime: roles.runtime }, type: QueryTypes.SELECT, transaction },
  );
  if (state!.has_app && state!.has_runtime && state!.member) return;
  if (!state!.can) {
    throw new DatabaseRolesError(
      `This database needs roles of its own and ${state!.user} may not create roles. Have an administrator run: ` +
        `${state!.has_app ? '' : `CREATE ROLE ${roles.app} NOLOGIN; `}${state!.has_runtime ? '' : `CREATE ROLE ${roles.runtime} LOGIN PASSWORD '...'; `}` +
        `GRANT ${roles.app} TO ${roles.runtime}; then run the command again. Nothing was changed.`,
    );
  }
  if (!state!.has_app) await owner.query(`CREATE ROLE ${roles.app} NOLOGIN`, { transaction });
  if (!state!.has_runtime) await owner.query(`CREATE ROLE ${roles.runtime} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT`, { transaction });
  if (!state!.member) await owner.query(`GRANT ${roles.app} TO ${roles.runtime}`, { transaction });
}
