import path from 'node:path';
import { ConfigError, loadConfig } from '../config/config.js';
import { createSequelize } from '../db/database.js';
import { openDatabaseTarget } from '../db/database-target.js';
import { createMigrationFiles, createMigrator } from '../db/migrator.js';
import { createSeeder } from '../db/seeder.js';
import { sealAuditLog } from '../audit/audit-seal.service.js';
import { archiveAuditPartitions, ensureAuditPartitions, listAuditPartitions } from '../audit/audit-partition.service.js';
import { projectRoot } from '../paths.js';

const USAGE = `Usage: npm run db:<command>
  db:migrate                 apply every pending migration
  db:migrate:undo            undo the most recent migration
  db:migrate:status          list applied migrations (with when) and pending ones
  db:migrate:create -- NAME  write an empty migration pair migrations/<timestamp>-NAME.{up,down}.sql
  db:seed                    run pending seeders (demo data)
  db:maintain [-- --archive-before=YYYY-MM]
                             create the coming months' audit partitions, seal the audit chain,
                             detach (never drop) audit partitions before a month, VACUUM ANALYZE

Uses DATABASE_URL when set, otherwise the embedded PostgreSQL under the data folder.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'migrate:create') {
    const name = rest[0];
    if (!name) {
      console.error('Give the migration a name: npm run db:migrate:create -- add-scrap-reasons');
      return 2;
    }
    for (const file of createMigrationFiles(name)) console.log(`created ${path.relative(projectRoot, file)}`);
    return 0;
  }
  if (!command || !['migrate', 'migrate:undo', 'migrate:status', 'seed', 'maintain'].includes(command)) {
    console.error(USAGE);
    return 2;
  }

  const config = loadConfig();
  const target = await openDatabaseTarget(config, (line) => console.error(line));
  const sequelize = createSequelize({ url: target.url, poolMax: 2, acquireTimeoutMs: config.DB_POOL_ACQUIRE_MS });
  try {
    const migrator = createMigrator(sequelize);
    switch (command) {
      case 'migrate': {
        const applied = await migrator.up();
        console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'Nothing to apply: the schema is up to date.');
        break;
      }
      case 'migrate:undo': {
        const undone = await migrator.down();
        console.log(undone.length ? undone.map((m) => `undone ${m.name}`).join('\n') : 'Nothing to undo.');
        break;
      }
      case 'migrate:status': {
        const [rows] = (await sequelize.query(`SELECT name, created_at FROM schema_migrations ORDER BY name`).catch(() => [[]])) as [
          Array<{ name: string; created_at: Date | null }>,
          unknown,
        ];
        const pending = await migrator.pending();
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
        if (archiveBefore !== undefined && !/^\d{4}-\d{2}$/.test(archiveBefore)) {
          console.error('--archive-before takes a month, e.g. --archive-before=2025-01');
          return 2;
        }
        console.log(`audit partitions created: ${await ensureAuditPartitions(sequelize)}`);
        const seal = await sealAuditLog(sequelize);
        console.log(`audit rows sealed: ${seal.rowsSealed} (chain at ${seal.lastPosition})`);
        if (archiveBefore) console.log(`audit partitions archived (detached, kept): ${await archiveAuditPartitions(sequelize, `${archiveBefore}-01`)}`);
        for (const p of await listAuditPartitions(sequelize)) {
          const warn = p.name === 'audit_logs_default' && p.rows > 0 ? '  <- rows outside any monthly partition' : '';
          console.log(`  ${p.name.padEnd(22)} ${String(p.rows).padStart(10)} rows  ${p.bounds}${warn}`);
        }
        await sequelize.query('VACUUM (ANALYZE)');
        console.log('VACUUM ANALYZE done.');
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

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
