import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { planCachedQuery } from './plan-cached-reads.js';

/**
 * What a serving connection may cost the database, enforced by PostgreSQL itself: a statement
 * runs at most `statementTimeoutMs`, and a transaction left idle (its caller died half-way) at
 * most `idleInTransactionTimeoutMs`. Migrations and maintenance, as the owner, run without them.
 *
 * Where they are set decides whether they survive a pooler. PgBouncer refuses start-up parameters
 * it does not know ("unsupported startup parameter"), and its way around that,
 * ignore_startup_parameters, lets the connection in without them. So a runtime login of its own
 * gets them as its defaults in this database (ALTER ROLE ... IN DATABASE ... SET): PostgreSQL
 * applies those to every session the login opens, whoever opens it (the app's pools, the session
 * store, the mail listener, a pooler's server connections), and they also cover statements
 * outside a transaction (most reads), which SET LOCAL at each START TRANSACTION would not.
 */
export interface RuntimeLimits {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
}

/** A dead caller's open transaction is cut off after twice the statement limit. */
export function runtimeLimits(statementTimeoutMs: number): RuntimeLimits {
  return { statementTimeoutMs, idleInTransactionTimeoutMs: statementTimeoutMs * 2 };
}

/**
 * - `role`: the runtime login's defaults in this database, made by the owner at start.
 * - `own-role`: the same, made by the runtime login for itself (a role may set its own defaults)
 *   where the owner may not alter other logins.
 * - `startup`: start-up parameters of each connection, for a login that is the owner or a
 *   superuser, whose defaults are not the app's to change. Such a setup cannot sit behind PgBouncer.
 */
export type LimitPlacement = 'role' | 'own-role' | 'startup';

const SETTINGS = { statement_timeout: 'statementTimeoutMs', idle_in_transaction_session_timeout: 'idleInTransactionTimeoutMs' } as const;
type SettingName = keyof typeof SETTINGS;
const NAMES = Object.keys(SETTINGS) as SettingName[];

const quoteIdent = (s: string) => `"${s.replace(/"/g, '""')}"`;
const userOf = (url: string) => decodeURIComponent(new URL(url).username);

/** The role's defaults in the current database already hold exactly these values. */
function alreadySet(setconfig: string[] | null, limits: RuntimeLimits): boolean {
  const current = new Map((setconfig ?? []).map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
  return NAMES.every((name) => current.get(name) === String(limits[SETTINGS[name]]));
}

/** The defaults of the role `role` (an SQL expression) in the current database, as pg_db_role_setting keeps them. */
const roleDefaultsSql = (role: string) =>
  `SELECT s.setconfig FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
    WHERE d.datname = current_database() AND s.setrole = (SELECT oid FROM pg_roles WHERE rolname = ${role})`;

/**
 * Puts the limits where they hold for the login of `runtimeUrl`, through the owner's connection
 * (at start, under the migration lock, so instances starting together do not race on the catalog
 * row). Where the owner may not alter that login, the login sets them itself through `asRuntime`.
 */
export async function placeRuntimeLimits(
  owner: Sequelize,
  ownerUrl: string,
  runtimeUrl: string,
  limits: RuntimeLimits,
  asRuntime: <T>(work: (client: pg.Client) => Promise<T>) => Promise<T>,
): Promise<LimitPlacement> {
  const user = userOf(runtimeUrl);
  if (user === userOf(ownerUrl)) return 'startup';
  const [role] = await owner.query<{ superuser: boolean; setconfig: string[] | null }>(
    `SELECT r.rolsuper AS superuser, (${roleDefaultsSql(':user')}) AS setconfig FROM pg_roles r WHERE r.rolname = :user`,
    { replacements: { user }, type: QueryTypes.SELECT },
  );
  if (role?.superuser) return 'startup';
  // A login an administrator has yet to make is left to say so when it connects.
  if (!role) return 'own-role';
  if (alreadySet(role.setconfig, limits)) return 'role';
  try {
    const [database] = await owner.query<{ name: string }>('SELECT current_database() AS name', { type: QueryTypes.SELECT });
    for (const name of NAMES) {
      await owner.query(`ALTER ROLE ${quoteIdent(user)} IN DATABASE ${quoteIdent(database!.name)} SET ${name} = ${Math.floor(limits[SETTINGS[name]])}`);
    }
    return 'role';
  } catch (error) {
    // Not the owner's to alter (no CREATEROLE, or from PostgreSQL 16 no ADMIN OPTION on it): the login itself may.
    if ((error as { parent?: { code?: string } }).parent?.code !== '42501') throw error;
  }
  await asRuntime((client) => setOwnLimits(client, limits));
  return 'own-role';
}

/**
 * The runtime login's own defaults in this database, and the same for the session of `client`:
 * behind a pooler that server connection is then no exception (defaults apply at log-in only).
 */
async function setOwnLimits(client: pg.Client, limits: RuntimeLimits): Promise<void> {
  const { rows } = await client.query<{ setconfig: string[] | null }>(roleDefaultsSql('current_user'));
  if (alreadySet(rows[0]?.setconfig ?? null, limits)) return;
  const statements = NAMES.map((name) => {
    const value = Math.floor(limits[SETTINGS[name]]);
    return `EXECUTE format('ALTER ROLE CURRENT_USER IN DATABASE %I SET ${name} = ${value}', current_database()); PERFORM set_config('${name}', '${value}', false);`;
  });
  await client.query(`DO $$ BEGIN ${statements.join(' ')} END $$`);
}

export interface LimitsInEffect {
  statementTimeoutMs: number;
  idleInTransactionTimeoutMs: number;
  /** pg_settings.source of the statement limit: 'database user' for a role's default, 'client' for a start-up parameter. */
  source: string;
}

const IN_EFFECT_SQL = `SELECT name, setting::int AS ms, source FROM pg_settings WHERE name IN ('statement_timeout', 'idle_in_transaction_session_timeout')`;

function inEffect(rows: Array<{ name: string; ms: number; source: string }>): LimitsInEffect {
  const byName = new Map(rows.map((r) => [r.name, r]));
  return {
    statementTimeoutMs: byName.get('statement_timeout')?.ms ?? 0,
    idleInTransactionTimeoutMs: byName.get('idle_in_transaction_session_timeout')?.ms ?? 0,
    source: byName.get('statement_timeout')?.source ?? 'default',
  };
}

const OWN_LOGIN =
  'Serve as a runtime login of its own (DATABASE_URL) and migrate as the owner straight to PostgreSQL (DATABASE_OWNER_URL): ' +
  "the limits are then that login's defaults.";

function why(placement: LimitPlacement, user: string): string {
  if (placement === 'startup') {
    return (
      `They are sent as start-up parameters (DATABASE_URL's login "${user}" is the owner or a superuser), and something dropped them, ` +
      `such as PgBouncer's ignore_startup_parameters. ${OWN_LOGIN}`
    );
  }
  return (
    `They are the login "${user}"'s defaults in this database (ALTER ROLE ... IN DATABASE ... SET), which PostgreSQL applies when a connection logs in: ` +
    `a pooler's server connections opened before they were set keep running without them (PgBouncer: RECONNECT in its admin console, or restart it), ` +
    `and a pooler that logs in to PostgreSQL as another user (user= in pgbouncer.ini's [databases]) never gets them. See docs/operations.md.`
  );
}

const asText = (ms: number) => (ms === 0 ? 'off' : `${ms} ms`);

/**
 * Reads the limits as the app's own connections have them (the plan-cached pool too, when used)
 * and compares them with the configured ones. No limit at all throws: the app would serve with
 * statements that may run for ever. A different limit (a pooler's connections from before a
 * change) is returned as a warning for the start-up log. A pooler refusing the connection's
 * start-up parameters is said in words an operator can act on.
 */
export async function checkRuntimeLimits(
  sequelize: Sequelize,
  limits: RuntimeLimits,
  placement: LimitPlacement,
  preparedReads: boolean,
): Promise<{ inEffect: LimitsInEffect; warning?: string }> {
  const user = sequelize.config.username;
  const read = async (where: 'main' | 'plans') => {
    try {
      const rows =
        where === 'plans'
          ? await planCachedQuery<{ name: string; ms: number; source: string }>(sequelize, IN_EFFECT_SQL, [])
          : await sequelize.query<{ name: string; ms: number; source: string }>(IN_EFFECT_SQL, { type: QueryTypes.SELECT });
      return inEffect(rows);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!/unsupported startup parameter/.test(message)) throw error;
      const remedy =
        where === 'plans'
          ? `History's prepared reads (DB_PREPARED_READS=true) need connections straight to PostgreSQL: set DB_PREPARED_READS=false behind PgBouncer.`
          : placement === 'startup'
            ? `The limits go in start-up parameters when DATABASE_URL's login "${user}" is the owner or a superuser. ${OWN_LOGIN}`
            : 'Something else sends it (PGOPTIONS in the environment, a parameter in DATABASE_URL): remove it.';
      throw new Error(`DATABASE_URL leads to a pooler that refuses the app's start-up parameters (${message}). ${remedy}`, { cause: error });
    }
  };
  const found = [await read('main'), ...(preparedReads ? [await read('plans')] : [])];
  const off = found.find((f) => f.statementTimeoutMs === 0 || f.idleInTransactionTimeoutMs === 0);
  const expected = `expected ${limits.statementTimeoutMs} ms and ${limits.idleInTransactionTimeoutMs} ms (DB_STATEMENT_TIMEOUT_MS and twice it)`;
  const state = (f: LimitsInEffect) =>
    `statement_timeout is ${asText(f.statementTimeoutMs)} and idle_in_transaction_session_timeout is ${asText(f.idleInTransactionTimeoutMs)}`;
  if (off) {
    throw new Error(`The database limits are not in effect on the app's connection: ${state(off)}, ${expected}. ${why(placement, user)}`);
  }
  const other = found.find((f) => f.statementTimeoutMs !== limits.statementTimeoutMs || f.idleInTransactionTimeoutMs !== limits.idleInTransactionTimeoutMs);
  if (other) return { inEffect: other, warning: `The app's connection runs with other database limits: ${state(other)}, ${expected}. ${why(placement, user)}` };
  return { inEffect: found[0]! };
}
