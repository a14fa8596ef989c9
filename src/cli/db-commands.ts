import path from 'node:path';
import { QueryTypes } from 'sequelize';
import { loadConfig } from '../config/config.js';
import { createSequelize } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';
import { adoptDatabaseRoles, currentDatabaseRoles } from '../db/database-roles.js';
import { createMigrationFiles, createMigrator } from '../db/migrator.js';
import { generateMigration } from '../db/migration-generator.js';
import { ALL_MODELS } from '../models/index.js';
import { createSeeder } from '../db/seeder.js';
import { sealAuditLog } from '../audit/audit-seal.service.js';
import {
  adoptDefaultRows,
  archiveAuditPartitions,
  defaultPartitionMonths,
  ensureAuditPartitions,
  listAuditPartitions,
} from '../audit/audit-partition.service.js';
import { withMigrationLock } from '../db/migration-lock.js';
import { projectRoot } from '../paths.js';
import { backupCommand, restoreCommand } from './backup-commands.js';

const USAGE = `Usage: npm run db:<command>
  db:migrate                 apply every pending migration
  db:migrate:undo            undo the most recent migration
  db:migrate:status          list applied migrations (with when) and pending ones
  db:migrate:create -- NAME  write an empty migration pair migrations/<timestamp>-NAME.{up,down}.sql
  db:migrate:generate -- NAME
                             compare the models with the migrated database and write the pair for
                             the difference (columns, types, nullability, defaults, foreign keys,
                             unique keys and indexes the models declare), for review
  db:seed                    run pending seeders (demo data)
  db:maintain [-- --archive-before=YYYY-MM] [--adopt-default-rows]
                             create the coming months' audit partitions, seal the audit chain,
                             detach (never drop) audit partitions before a month (a month that has
                             ended), VACUUM ANALYZE; reports audit rows outside every monthly
                             partition (exit 1) and, with --adopt-default-rows, moves them into
                             their months' partitions unchanged
  db:backup [-- --out FILE]  seal the audit chain, then pg_dump the database to FILE
                             (default backups/nexus-<UTC time>.dump) with a summary beside it
  db:restore -- FILE [--target NAME|URL]
                             restore a backup into an EMPTY database (created when missing; default:
                             the configured one), then check row counts, triggers, grants and the chain

Uses DATABASE_OWNER_URL or DATABASE_URL when set, otherwise the embedded PostgreSQL under the data
folder. Backups need pg_dump and pg_restore 15 (PG_BIN_DIR, or installed: postgresql-client-15).`;

/** db:* commands; returns the exit code. */
export async function dbCommand(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'migrate:create') {
    const name = rest[0];
    if (!name) {
      console.error('Give the migration a name: npm run db:migrate:create -- add-scrap-reasons');
      return 2;
    }
    try {
      for (const file of createMigrationFiles(name)) console.log(`created ${path.relative(projectRoot, file)}`);
    } catch (error) {
      console.error((error as Error).message);
      return 2;
    }
    return 0;
  }
  if (command === 'migrate:generate') {
    const name = rest[0];
    if (!name) {
      console.error('Give the migration a name: npm run db:migrate:generate -- add-scrap-reasons');
      return 2;
    }
    if (!/^[a-z0-9][a-z0-9-]*$/.test(name)) {
      console.error(`migration name "${name}" must be lowercase words joined by hyphens, e.g. add-scrap-reasons`);
      return 2;
    }
    const config = loadConfig();
    const target = await openDatabaseTarget(config, (line) => console.error(line));
    const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl: target.ssl });
    try {
      const result = await generateMigration(sequelize, ALL_MODELS as never, name);
      if (!result.files) {
        console.log('Nothing to write: the models and the database agree.');
        return 0;
      }
      for (const d of result.drift) console.log(`  ${d.message}`);
      for (const file of result.files) console.log(`created ${path.relative(projectRoot, file)}`);
      console.log('Review both files, then apply with npm run db:migrate.');
      return 0;
    } finally {
      await sequelize.close();
      await target.embedded?.stop();
    }
  }
  if (command === 'backup') return backupCommand(rest);
  if (command === 'restore') return restoreCommand(rest);
  if (!command || !['migrate', 'migrate:undo', 'migrate:status', 'seed', 'maintain'].includes(command)) {
    console.error(USAGE);
    return 2;
  }

  const config = loadConfig();
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS, ssl: target.ssl });
  try {
    const migrator = createMigrator(sequelize);
    switch (command) {
      case 'migrate': {
        // The same lock as the app's start: a deploy starting beside this command waits for it.
        const applied = await withMigrationLock(target.url, target.ssl, async () => {
          // A copy of another NEXUS database gets roles of its own, also when it is up to date.
          const adopted = await adoptDatabaseRoles(sequelize);
          if (adopted)
            console.log(`this database was a copy: its grants moved from ${adopted.from.app} to ${adopted.to.app} (runtime login ${adopted.to.runtime})`);
          return migrator.up();
        });
        console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'Nothing to apply: the schema is up to date.');
        break;
      }
      case 'migrate:undo': {
        const undone = await withMigrationLock(target.url, target.ssl, () => migrator.down());
        console.log(undone.length ? undone.map((m) => `undone ${m.name}`).join('\n') : 'Nothing to undo.');
        break;
      }
      case 'migrate:status': {
        const [rows] = (await sequelize.query(`SELECT name, created_at FROM schema_migrations ORDER BY name`).catch(() => [[]])) as [
          Array<{ name: string; created_at: Date | null }>,
          unknown,
        ];
        const pending = await migrator.pending();
        const roles = await currentDatabaseRoles(sequelize);
        console.log(`Roles of this database: ${roles.app} (group), ${roles.runtime} (default runtime login)`);
        console.log('Applied:');
        if (rows.length === 0) console.log('  (none)');
        for (const row of rows) console.log(`  ${row.created_at ? row.created_at.toISOString() : '(time unknown)      '}  ${row.name}`);
        console.log('Pending:');
        if (pending.length === 0) console.log('  (none)');
        for (const m of pending) console.log(`  ${m.name}`);
        break;
      }
      case 'maintain': {
        const archiveBefore = rest.find((a) => a.startsWith('--archive-before='))?.split('=')[1];
        if (archiveBefore !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(archiveBefore)) {
          console.error('--archive-before takes a month, e.g. --archive-before=2025-01');
          return 2;
        }
        const [{ this_month: thisMonth }] = (await sequelize.query<{ this_month: string }>(`SELECT to_char(now(), 'YYYY-MM') AS this_month`, {
          type: QueryTypes.SELECT,
        })) as [{ this_month: string }];
        if (archiveBefore !== undefined && archiveBefore > thisMonth) {
          console.error(
            `--archive-before=${archiveBefore} is a month that has not ended: archiving stops at the current month (${thisMonth}). Nothing was done.`,
          );
          return 2;
        }
        console.log(`audit partitions created: ${await ensureAuditPartitions(sequelize)}`);
        if (rest.includes('--adopt-default-rows')) {
          for (const moved of await adoptDefaultRows(sequelize))
            console.log(`moved ${moved.rows} audit rows of ${moved.month} from audit_logs_default into their month's partition`);
        }
        const seal = await sealAuditLog(sequelize);
        console.log(`audit rows sealed: ${seal.rowsSealed} (chain at ${seal.lastPosition})`);
        if (archiveBefore) console.log(`audit partitions archived (detached, kept): ${await archiveAuditPartitions(sequelize, `${archiveBefore}-01`)}`);
        for (const p of await listAuditPartitions(sequelize)) {
          const warn = p.name === 'audit_logs_default' && p.rows > 0 ? '  <- rows outside any monthly partition' : '';
          console.log(`  ${p.name.padEnd(22)} ${String(p.rows).padStart(10)} rows  ${p.bounds}${warn}`);
        }
        await sequelize.query('VACUUM (ANALYZE)');
        console.log('VACUUM ANALYZE done.');
        const stray = await defaultPartitionMonths(sequelize);
        if (stray.length) {
          console.error(
            `PROBLEM: audit rows sit in audit_logs_default, outside every monthly partition (${stray.map((m) => `${m.month}: ${m.rows}`).join(', ')}): ` +
              'their months had no partition when they were written. Those months can be neither partitioned nor archived until the rows move. ' +
              'Remedy (as the owner, moves them unchanged; the chain still verifies): npm run db:maintain -- --adopt-default-rows',
          );
          return 1;
        }
        break;
      }
      case 'seed': {
        const seeded = await createSeeder(sequelize).up();
        console.log(seeded.length ? seeded.map((s) => `seeded ${s.name}`).join('\n') : 'Nothing to seed: every seeder has run.');
        break;
      }
    }
    return 0;
  } finally {
    await sequelize.close();
    await target.embedded?.stop();
  }
}
