import fs from 'node:fs';
import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { QueryTypes } from 'sequelize';
import { migrationsDir } from '../paths.js';
import { createMigrationFiles, createMigrator } from './migrator.js';
import { compareModelsWithDatabase, type Drift } from './schema-drift.js';

/**
 * `nexus db:migrate:generate NAME`: what Alembic's `revision --autogenerate` does for NEXUS.
 * Compares the Sequelize models with a database migrated to head (columns, types, nullability,
 * defaults, and the foreign keys, unique keys and indexes the models declare) and writes the up
 * and down SQL for the difference as a new migration pair, for a person to review before it is
 * applied. Triggers, CHECKs and grants are PostgreSQL's own and written by hand.
 */
export type GenerateResult = { files: [string, string]; drift: Drift[] } | { files: null; drift: [] };

export class MigrationGenerationRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliRefusal';
  }
}

export async function generateMigration(
  sequelize: Sequelize,
  models: readonly ModelStatic<Model>[],
  name: string,
  folder = migrationsDir,
  now = new Date(),
): Promise<GenerateResult> {
  const pending = await createMigrator(sequelize, folder).pending();
  if (pending.length) {
    throw new MigrationGenerationRefused(
      `The database is not at the latest migration (${pending.map((m) => m.name).join(', ')} pending): apply them first (nexus db:migrate), so that only the models' changes are written.`,
    );
  }
  const query = async (sql: string) => ({ rows: await sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT }) });
  const drift = await compareModelsWithDatabase(query, models);
  if (drift.length === 0) return { files: null, drift: [] };
  const [up, down] = createMigrationFiles(name, folder, now);
  const header = (what: string) =>
    [
      `-- ${name}: ${what}`,
      '-- Written by nexus db:migrate:generate from the differences between the models and the database:',
      ...drift.map((d) => `--   ${d.message}`),
      '-- Review before applying: a rename shows as a drop and an add; data may need moving by hand.',
      '',
    ].join('\n');
  fs.writeFileSync(up, `${header('make the database follow the models.')}${drift.flatMap((d) => d.up).join('\n')}\n`);
  fs.writeFileSync(
    down,
    `${header('undo it.')}${[...drift]
      .reverse()
      .flatMap((d) => d.down)
      .join('\n')}\n`,
  );
  return { files: [up, down], drift };
}
