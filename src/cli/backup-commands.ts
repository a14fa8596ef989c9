import path from 'node:path';
import { loadConfig } from '../config/config.js';
import { redact } from '../db/backup/backup-connection.js';
import type { DatabaseSummary } from '../db/backup/backup-summary.js';
import { backupDatabase } from '../db/backup/backup.service.js';
import { findPgTools } from '../db/backup/pg-tools.js';
import { restoreDatabase } from '../db/backup/restore.service.js';
import { withDatabase } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';

/**
 * db:backup and db:restore: their options, and what they did in lines an operator reads (the
 * files written, the row counts and audit chain, the checks a restore passed).
 */

/** `--name VALUE` or `--name=VALUE`. */
function option(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(`${name}=`));
  if (i < 0) return undefined;
  const arg = args[i]!;
  return arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
}

function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith('..') || path.isAbsolute(relative) ? file : relative;
}

function formatBytes(bytes: number): string {
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

/** A backup's or a restored database's row counts and audit chain, one line a table. */
function formatSummary(summary: DatabaseSummary): string[] {
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

function tlsSettings(config: ReturnType<typeof loadConfig>) {
  const { DATABASE_SSL_MODE, DATABASE_SSL_CA, DATABASE_SSL_CERT, DATABASE_SSL_KEY } = config;
  return { DATABASE_SSL_MODE, DATABASE_SSL_CA, DATABASE_SSL_CERT, DATABASE_SSL_KEY };
}

/** db:backup [--out FILE]; returns the exit code. */
export async function backupCommand(args: string[]): Promise<number> {
  const out = option(args, '--out');
  if (args.includes('--out') && !out) {
    console.error('--out takes a file name: npm run db:backup -- --out backups/before-upgrade.dump');
    return 2;
  }
  const config = loadConfig();
  const tools = await findPgTools({ binDir: config.PG_BIN_DIR });
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  try {
    const result = await backupDatabase({ url: target.url, tls: tlsSettings(config), tools, file: out, log: (line) => console.error(line) });
    console.log(
      `Backup written: ${shown(result.file)} (${formatBytes(result.bytes)}) of database "${result.summary.database}" at ${result.summary.takenAt}, ` +
        `PostgreSQL ${result.summary.serverVersion}, pg_dump ${tools.version} (${tools.pgDump}).`,
    );
    console.log(`Summary: ${shown(result.summaryFile)} (keep it beside the dump: a restore checks itself against it).`);
    if (result.rowsSealed > 0) console.log(`Sealed ${result.rowsSealed} audit rows into the chain before the dump.`);
    for (const line of formatSummary(result.summary)) console.log(line);
    console.log(`Restore with: npm run db:restore -- ${shown(result.file)} --target <new database name or URL>`);
    return 0;
  } finally {
    await target.embedded?.stop();
  }
}

/** db:restore FILE [--target NAME|URL]; returns the exit code. */
export async function restoreCommand(args: string[]): Promise<number> {
  const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--target');
  const targetArg = option(args, '--target');
  if (!file || (args.includes('--target') && !targetArg)) {
    console.error(
      'Usage: npm run db:restore -- FILE [--target NAME|URL]   e.g. npm run db:restore -- backups/nexus-20261126T101500Z.dump --target nexus_restored',
    );
    return 2;
  }
  const config = loadConfig();
  const tools = await findPgTools({ binDir: config.PG_BIN_DIR });
  // A URL names its own server; a bare name is a database on the configured (or embedded) one.
  const isUrl = targetArg !== undefined && /^postgres(ql)?:\/\//.test(targetArg);
  const target = isUrl ? undefined : await openDatabaseTarget(config, (line) => console.error(line));
  try {
    const url = isUrl ? targetArg! : targetArg ? withDatabase(target!.url, targetArg) : target!.url;
    const result = await restoreDatabase({ file, url, tls: tlsSettings(config), tools, log: (line) => console.error(line) });
    console.log(
      `Restored ${shown(path.resolve(file))} (database "${result.archive.database ?? '?'}", dumped ${result.archive.createdAt ?? '?'} ` +
        `from PostgreSQL ${result.archive.dumpedFrom ?? '?'}) into "${result.database}"${result.createdDatabase ? ' (created)' : ''} at ${redact(url)}.`,
    );
    for (const line of formatSummary(result.summary)) console.log(line);
    console.log('Checks:');
    console.log(
      result.countsMatchedBackup ? "  row counts: every table matches the backup's summary" : '  row counts: not compared (no summary file beside the backup)',
    );
    console.log(`  triggers: all ${result.triggersChecked} of the backup present and enabled (audit rows stay append-only)`);
    console.log(`  grants: ${result.appRole} reads the audit tables and cannot change them`);
    if (result.createdRoles.length) console.log(`  roles created (NOLOGIN): ${result.createdRoles.join(', ')}`);
    if (result.transactionIdsAdvanced > 0)
      console.log(`  transaction ids: advanced by ${result.transactionIdsAdvanced} past the backup's, so new audit rows seal after it`);
    console.log(
      `  audit chain: OK, ${result.verify.rowsChecked} rows verified, head ${result.verify.headHash ?? '(empty log)'} at position ${result.verify.lastPosition}` +
        (result.verify.rowsPending ? `; ${result.verify.rowsPending} rows not yet sealed (sealed by the app or npm run db:maintain)` : ''),
    );
    return 0;
  } finally {
    await target?.embedded?.stop();
  }
}
