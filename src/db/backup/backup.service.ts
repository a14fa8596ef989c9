import fs from 'node:fs';
import path from 'node:path';
import type pg from 'pg';
import { sealAuditLog } from '../../audit/audit-seal.service.js';
import { projectRoot } from '../../paths.js';
import type { DatabaseTlsSettings } from '../database-tls.js';
import { BackupError } from './backup-error.js';
import { auditSequelize, backupConnection, connect, databaseName, redact } from './backup-connection.js';
import { summarize, summaryFileFor, type BackupSummary } from './backup-summary.js';
import { lastLines, runTool, type PgTools } from './pg-tools.js';

/** The tables without which a dump is not a NEXUS backup (and the chain cannot be verified). */
export const REQUIRED_TABLES = ['audit_logs', 'audit_chain', 'audit_seals', 'audit_archives', 'users'];

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

export function defaultBackupFile(now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return path.join(projectRoot, 'backups', `nexus-${stamp}.dump`);
}

async function missingTables(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(`SELECT t AS name FROM unnest($1::text[]) t WHERE to_regclass('public.' || t) IS NULL`, [
    REQUIRED_TABLES,
  ]);
  return rows.map((r) => r.name);
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

  const db = backupConnection(options.url, options.tls);
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
