import fs from 'node:fs';
import path from 'node:path';
import { verifyAuditLog, type VerifyReport } from '../../audit/audit-verify.service.js';
import type { DatabaseTlsSettings } from '../database-tls.js';
import { DatabaseRolesError, adoptDatabaseRoles } from '../database-roles.js';
import { TransactionHorizonError, advanceTransactionIds } from '../transaction-horizon.js';
import { readArchive, rolesNamedBy } from './backup-archive.js';
import { BackupError } from './backup-error.js';
import { auditSequelize, backupConnection, connect, databaseName } from './backup-connection.js';
import { REQUIRED_TABLES } from './backup.service.js';
import { summarize, summaryFileFor, type BackupSummary, type DatabaseSummary } from './backup-summary.js';
import { lastLines, runTool, type PgTools } from './pg-tools.js';
import { checkAppendOnly, checkAuditChain, checkRowCounts } from './restore-checks.js';
import { createMissingRoles, ensureTargetDatabase, existingObjects } from './restore-target.js';

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
  const target = backupConnection(options.url, options.tls);
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
    const run = await runTool(
      options.tools.pgRestore,
      ['--single-transaction', '--exit-on-error', '--no-owner', `--dbname=${target.dbname}`, file],
      target.env,
    );
    if (run.status !== 0) {
      throw new BackupError(
        `pg_restore failed (exit ${run.status}); nothing was restored (one transaction, rolled back). pg_restore says: ${lastLines(run.stderr)}`,
      );
    }

    const summary = await summarize(client);
    let countsMatchedBackup = false;
    if (expected) {
      checkRowCounts(expected, summary);
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
    checkAuditChain(verify, expected);

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
