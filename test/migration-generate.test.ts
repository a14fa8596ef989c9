import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataTypes, QueryTypes, type Model, type ModelStatic } from 'sequelize';
import { generateMigration } from '../src/db/migration-generator.js';
import { createMigrator, listMigrationFiles } from '../src/db/migrator.js';
import { findSchemaDrift } from '../src/db/schema-drift.js';
import { ALL_MODELS, Part } from '../src/models/index.js';
import { migrationsDir } from '../src/paths.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * `nexus db:migrate:generate` writes the migration for what the models changed, as Alembic's
 * autogenerate does: applied, the models and the database agree; undone, they differ as before.
 */

let db: TestDatabase;
let folder: string;
const models = ALL_MODELS as unknown as readonly ModelStatic<Model>[];
const query = async (sql: string) => ({ rows: await db.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT }) });

beforeAll(async () => {
  db = await createTestDatabase();
  // The project's migrations, in a folder of the test's own for the new pair.
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-generate-'));
  for (const file of fs.readdirSync(migrationsDir)) fs.copyFileSync(path.join(migrationsDir, file), path.join(folder, file));
});
afterAll(async () => {
  await db?.drop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

describe('nexus db:migrate:generate', () => {
  it('says there is nothing to write when the models and the database agree, and writes nothing', async () => {
    expect(await generateMigration(db.sequelize, models, 'nothing-here', folder)).toEqual({ files: null, drift: [] });
    expect(listMigrationFiles(folder)).toEqual(listMigrationFiles());
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nexus.ts', 'db:migrate:generate', 'nothing-here'], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' },
      timeout: 60_000,
    });
    expect({ status: cli.status, out: cli.stdout.trim() }).toEqual({ status: 0, out: 'Nothing to write: the models and the database agree.' });
  });

  it('writes the up and down SQL for a new column, its default and a new unique key; applied they agree, undone they differ again', async () => {
    // A developer adds to the Part model: a scrap reason with a default, and one description per customer.
    const attributes = Part.getAttributes() as Record<string, unknown>;
    (Part as unknown as { rawAttributes: Record<string, unknown> }).rawAttributes = {
      ...attributes,
      scrap_reason: { type: DataTypes.STRING(200), allowNull: false, defaultValue: 'none' },
      description: { ...(attributes.description as object), unique: 'parts_customer_description_key' },
      customer_id: { ...(attributes.customer_id as object), unique: 'parts_customer_description_key' },
    };
    (Part as unknown as { refreshAttributes(): void }).refreshAttributes();

    const result = await generateMigration(db.sequelize, models, 'add-scrap-reasons', folder, new Date('2099-01-02T03:04:05Z'));
    expect(result.files?.map((f) => path.basename(f))).toEqual(['20990102030405-add-scrap-reasons.up.sql', '20990102030405-add-scrap-reasons.down.sql']);
    const up = fs.readFileSync(result.files![0], 'utf8');
    const down = fs.readFileSync(result.files![1], 'utf8');
    expect(up).toContain(`ALTER TABLE "parts" ADD COLUMN "scrap_reason" VARCHAR(200) NOT NULL DEFAULT 'none';`);
    expect(up).toContain('ALTER TABLE "parts" ADD CONSTRAINT "parts_customer_description_key" UNIQUE ("description", "customer_id");');
    expect(down).toContain('ALTER TABLE "parts" DROP COLUMN "scrap_reason";');
    expect(down).toContain('ALTER TABLE "parts" DROP CONSTRAINT "parts_customer_description_key";');
    expect(up).toMatch(/^-- add-scrap-reasons: make the database follow the models\./);

    const migrator = createMigrator(db.sequelize, folder);
    await migrator.up();
    expect(await findSchemaDrift(query, models)).toEqual([]);
    await migrator.down();
    expect(await findSchemaDrift(query, models)).toEqual(result.drift.map((d) => d.message).sort());
  });

  it('refuses while migrations are pending, so that only the models’ changes are written', async () => {
    fs.writeFileSync(path.join(folder, '20990201000000-pending.up.sql'), 'SELECT 1;\n');
    fs.writeFileSync(path.join(folder, '20990201000000-pending.down.sql'), 'SELECT 1;\n');
    await expect(generateMigration(db.sequelize, models, 'too-early', folder)).rejects.toThrow(
      /not at the latest migration \(.*20990201000000-pending.*\): apply them first/,
    );
  });
});
