import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { QueryTypes, type Sequelize } from 'sequelize';
import { currentDatabaseRoles } from './database-roles.js';

export interface ConnectionPrivileges {
  user: string;
  superuser: boolean;
  createRole: boolean;
  /** Tables in schema public this login owns (directly or through a role it belongs to). */
  ownedTables: number;
  /** This database's group role (src/db/database-roles.ts). */
  appRole: string;
  memberOfAppRole: boolean;
}

/** What the current login may do beyond the group role's grants: the things a runtime login must not have. */
export async function connectionPrivileges(sequelize: Sequelize): Promise<ConnectionPrivileges> {
  const { app } = await currentDatabaseRoles(sequelize);
  const [row] = await sequelize.query<{ user: string; superuser: boolean; create_role: boolean; owned_tables: number; member: boolean }>(
    `SELECT current_user AS user, r.rolsuper AS superuser, r.rolcreaterole AS create_role,
            (SELECT count(*)::int FROM pg_tables t WHERE t.schemaname = 'public' AND pg_has_role(current_user, t.tableowner, 'MEMBER')) AS owned_tables,
            EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = :group AND pg_has_role(current_user, g.oid, 'MEMBER')) AS member
       FROM pg_roles r WHERE r.rolname = current_user`,
    { replacements: { group: app }, type: QueryTypes.SELECT },
  );
  return {
    user: row!.user,
    superuser: row!.superuser,
    createRole: row!.create_role,
    ownedTables: row!.owned_tables,
    appRole: app,
    memberOfAppRole: row!.member,
  };
}

/**
 * Why this login is more than the app needs, in words for the start-up log (empty when it is
 * exactly a runtime login). A superuser or the tables' owner can switch the audit trail's
 * triggers off or rewrite history; the app must never hold those powers.
 */
export function privilegeWarnings(p: ConnectionPrivileges): string[] {
  const warnings: string[] = [];
  if (p.superuser) warnings.push(`the database login "${p.user}" is a SUPERUSER: it can disable the audit triggers and rewrite history`);
  if (p.ownedTables > 0) warnings.push(`the database login "${p.user}" owns ${p.ownedTables} tables: it can run DDL and drop the audit trail's protections`);
  if (p.createRole && !p.superuser) warnings.push(`the database login "${p.user}" can create roles`);
  if (!p.memberOfAppRole && !p.superuser)
    warnings.push(`the database login "${p.user}" is not a member of ${p.appRole}: the app will be refused what it needs`);
  return warnings;
}

export interface RuntimeLoginResult {
  outcome: 'ready' | 'not-permitted';
  /** This database's group role, which the login was made a member of. */
  appRole: string;
  /** Something an operator should fix, for the start-up log. */
  warning?: string;
}

/**
 * Makes the runtime login of `runtimeUrl` exist, log in with that URL's password, and belong to
 * this database's group role — through the owner connection, which needs CREATEROLE (a superuser
 * in the embedded and compose setups). With no such right it changes nothing and says what the
 * DBA must do. A login that also belongs to other roles (another NEXUS database's group, say) is
 * made a member but never re-passworded: two apps on one server must not take turns setting one
 * login's password.
 */
export async function ensureRuntimeLogin(owner: Sequelize, runtimeUrl: string): Promise<RuntimeLoginResult> {
  const url = new URL(runtimeUrl);
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  if (!user) throw new Error('DATABASE_URL names no user');
  const roles = await currentDatabaseRoles(owner);
  const appRole = roles.app;
  const [me] = await owner.query<{ can: boolean }>(`SELECT rolsuper OR rolcreaterole AS can FROM pg_roles WHERE rolname = current_user`, {
    type: QueryTypes.SELECT,
  });
  if (!me?.can) return { outcome: 'not-permitted', appRole };
  const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
  const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;
  const [exists] = await owner.query<{ superuser: boolean; others: string[] }>(
    `SELECT r.rolsuper AS superuser,
            ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                   WHERE m.member = r.oid AND g.rolname <> :app ORDER BY 1) AS others
       FROM pg_roles r WHERE r.rolname = :user`,
    { replacements: { user, app: appRole }, type: QueryTypes.SELECT },
  );
  // Never demote or re-password an administrator's own login that was (mis)configured as DATABASE_URL.
  if (exists?.superuser) return { outcome: 'ready', appRole };
  let warning: string | undefined;
  if (!exists) {
    await owner.query(`CREATE ROLE ${quote(user)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION INHERIT`);
    if (password) await owner.query(`ALTER ROLE ${quote(user)} WITH LOGIN PASSWORD ${literal(password)}`);
  } else if (exists.others.length === 0) {
    if (password) await owner.query(`ALTER ROLE ${quote(user)} WITH LOGIN PASSWORD ${literal(password)}`);
  } else {
    warning =
      `the database login "${user}" also belongs to ${exists.others.join(', ')}, so it may serve another database: its password was left as it is. ` +
      `Give this database its own runtime login (${roles.runtime} by default) in DATABASE_URL.`;
  }
  await owner.query(`GRANT ${quote(appRole)} TO ${quote(user)}`);
  return { outcome: 'ready', appRole, ...(warning && { warning }) };
}

/** The embedded database's runtime password: made once, kept beside the data (mode 600). */
export function embeddedRuntimePassword(root: string): string {
  const file = path.join(root, 'runtime.password');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(24).toString('base64url'), { mode: 0o600 });
  }
  return fs.readFileSync(file, 'utf8').trim();
}

export function runtimeUrlFor(ownerUrl: string, user: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(user);
  url.password = encodeURIComponent(password);
  return url.toString();
}
