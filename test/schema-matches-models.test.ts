import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Model, ModelStatic } from 'sequelize';
import { findSchemaDrift as findDrift, type Query } from '../src/db/schema-drift.js';
import { ALL_MODELS } from '../src/models/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The migrations are the schema; the models are a hand-written mirror of it that AdminJS and
 * the code trust for types, nullability and lengths. This file fails as soon as they disagree.
 */

const findSchemaDrift = (query: Query) => findDrift(query, ALL_MODELS as unknown as readonly ModelStatic<Model>[]);

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.drop();
});

describe('models mirror the migrated schema', () => {
  it('has a model for every table and the same columns, types, nullability and defaults on both sides', async () => {
    const problems = await findSchemaDrift((sql) => db.query(sql));
    expect(problems).toEqual([]);
  });

  it('reports drift: the check above cannot pass by looking at nothing', async () => {
    // DDL is transactional in PostgreSQL: alter, compare on the same connection, roll back.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query('BEGIN');
      await client.query('ALTER TABLE parts ADD COLUMN drift integer');
      await client.query('ALTER TABLE parts ALTER COLUMN description TYPE varchar(400)');
      await client.query('ALTER TABLE work_centers ALTER COLUMN description SET NOT NULL');
      await client.query('ALTER TABLE sub_steps ALTER COLUMN lower_limit TYPE numeric(14,3)');
      await client.query('ALTER TABLE approvals ALTER COLUMN target_id TYPE bigint');
      await client.query('ALTER TABLE users DROP COLUMN last_login_at');
      await client.query('ALTER TABLE revisions ALTER COLUMN status DROP DEFAULT');
      await client.query('CREATE TABLE stray_things (id integer)');
      await client.query('ALTER TABLE manual_steps RENAME TO manual_steps_old');
      // Constraints the models declare: a foreign key and a unique key gone.
      await client.query('ALTER TABLE labor_entries DROP CONSTRAINT labor_entries_traveler_id_fkey');
      await client.query('ALTER TABLE parts DROP CONSTRAINT parts_part_number_key');
      const problems = await findSchemaDrift((sql) => client.query(sql));
      const expected = [
        'parts.drift: column in the database but no attribute in model Part',
        'parts.description: type is character varying(400) in the database but character varying(500) in model Part',
        'work_centers.description: NOT NULL in the database but nullable in model WorkCenter',
        'sub_steps.lower_limit: type is numeric(14,3) in the database but numeric(14,4) in model SubStep',
        'approvals.target_id: type is bigint in the database but integer in model Approval',
        'users.last_login_at: attribute of model User but no such column in the database',
        'revisions.status: has a defaultValue in model Revision but no DEFAULT in the database',
        'stray_things: table in the database but no model',
        'manual_steps: model ManualStep has no table in the database',
        'manual_steps_old: table in the database but no model',
        'labor_entries.traveler_id: model LaborEntry declares a foreign key to travelers, the database has none',
        // The renamed table takes its foreign keys' target with it.
        'labor_entries.manual_step_id: model LaborEntry declares a foreign key to manual_steps, the database has none',
        'parts(part_number): model Part declares a unique key (parts_part_number_key), the database has none',
      ];
      expect(problems).toEqual(expect.arrayContaining(expected));
      expect(problems).toHaveLength(expected.length);
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      await client.end();
    }
    // And the rollback left the private database as migrated.
    expect(await findSchemaDrift((sql) => db.query(sql))).toEqual([]);
  });
});
