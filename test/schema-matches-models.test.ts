import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import type { Model, ModelAttributeColumnOptions, ModelStatic } from 'sequelize';
import { ALL_MODELS } from '../src/models/index.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * The migrations are the schema; the models are a hand-written mirror of it that AdminJS and
 * the code trust for types, nullability and lengths. This file fails as soon as they disagree.
 */

/**
 * Tables that belong to libraries (sessions, migration bookkeeping) or to the audit trail's
 * tamper evidence (read and written by src/audit/ in SQL), not to a model.
 */
const TABLES_WITHOUT_MODEL = new Set(['sessions', 'schema_migrations', 'audit_chain', 'audit_seals', 'audit_archives', 'login_throttle']);

type AnyModel = ModelStatic<Model>;
type Query = (sql: string) => Promise<{ rows: Record<string, unknown>[] }>;

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  character_maximum_length: number | null;
  numeric_precision: number | null;
  numeric_scale: number | null;
  is_nullable: 'YES' | 'NO';
  column_default: string | null;
  is_identity: 'YES' | 'NO';
  is_generated: 'ALWAYS' | 'NEVER';
}

interface ExpectedType {
  dataType: string;
  length?: number;
  precision?: number;
  scale?: number;
}

/** What information_schema.columns reports for the column behind a Sequelize type. */
function expectedType(type: unknown): ExpectedType | string {
  // A type Sequelize has no class for is given as its SQL name (audit_logs.txid is xid8).
  if (typeof type === 'string') return { dataType: type.toLowerCase() };
  const t = type as { key?: string; options?: { length?: number; precision?: number; scale?: number } };
  switch (t.key) {
    case 'INTEGER':
      return { dataType: 'integer' };
    case 'BIGINT':
      return { dataType: 'bigint' };
    case 'SMALLINT':
      return { dataType: 'smallint' };
    case 'STRING':
      // Sequelize's own default length, so that STRING without a length is compared honestly.
      return { dataType: 'character varying', length: t.options?.length ?? 255 };
    case 'CHAR':
      return { dataType: 'character', length: t.options?.length ?? 255 };
    case 'TEXT':
      return { dataType: 'text' };
    case 'BOOLEAN':
      return { dataType: 'boolean' };
    case 'BLOB':
      return { dataType: 'bytea' };
    case 'DATE':
      return { dataType: 'timestamp with time zone' };
    case 'DATEONLY':
      return { dataType: 'date' };
    case 'DECIMAL':
      return { dataType: 'numeric', precision: t.options?.precision, scale: t.options?.scale };
    case 'DOUBLE':
      return { dataType: 'double precision' };
    case 'FLOAT':
    case 'REAL':
      return { dataType: 'real' };
    case 'JSON':
      return { dataType: 'json' };
    case 'JSONB':
      return { dataType: 'jsonb' };
    case 'UUID':
      return { dataType: 'uuid' };
    case 'INET':
      return { dataType: 'inet' };
    default:
      return `has Sequelize type ${String(t.key)}, which this test cannot map to a PostgreSQL type: add it to expectedType()`;
  }
}

function describeDbType(c: DbColumn): string {
  if (c.data_type === 'character varying' || c.data_type === 'character') {
    return `${c.data_type}(${c.character_maximum_length ?? 'no limit'})`;
  }
  if (c.data_type === 'numeric') return `numeric(${c.numeric_precision ?? '?'},${c.numeric_scale ?? '?'})`;
  return c.data_type;
}

function describeExpected(e: ExpectedType): string {
  if (e.length !== undefined) return `${e.dataType}(${e.length})`;
  if (e.dataType === 'numeric') return `numeric(${e.precision ?? '?'},${e.scale ?? '?'})`;
  return e.dataType;
}

function typeMatches(e: ExpectedType, c: DbColumn): boolean {
  if (e.dataType !== c.data_type) return false;
  if (e.length !== undefined && e.length !== c.character_maximum_length) return false;
  if (e.dataType === 'numeric') {
    // numeric without (p,s) in either place is "any precision": both sides must say the same.
    return (e.precision ?? null) === c.numeric_precision && (e.scale ?? null) === c.numeric_scale;
  }
  return true;
}

function tableNameOf(model: AnyModel): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

/**
 * Every disagreement between the models and the database reached through `query`, one line
 * each, naming the table and column. An empty list means the models mirror the schema.
 */
async function findSchemaDrift(query: Query, models = ALL_MODELS as readonly AnyModel[]): Promise<string[]> {
  const problems: string[] = [];

  // Partitions (audit_logs_default) are storage of their parent table, not tables of their own.
  const tables = await query(`
    SELECT c.relname AS table_name
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`);
  const dbTables = new Set(tables.rows.map((r) => String(r.table_name)));

  const columns = await query(`
    SELECT table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
           is_nullable, column_default, is_identity, is_generated
      FROM information_schema.columns
     WHERE table_schema = 'public'`);
  const dbColumns = new Map<string, Map<string, DbColumn>>();
  for (const row of columns.rows as unknown as DbColumn[]) {
    if (!dbTables.has(row.table_name)) continue;
    let table = dbColumns.get(row.table_name);
    if (!table) dbColumns.set(row.table_name, (table = new Map()));
    table.set(row.column_name, row);
  }

  const modelTables = new Set<string>();
  for (const model of models) {
    const table = tableNameOf(model);
    modelTables.add(table);
    const inDb = dbColumns.get(table);
    if (!dbTables.has(table) || !inDb) {
      problems.push(`${table}: model ${model.name} has no table in the database`);
      continue;
    }
    const attributes: Record<string, ModelAttributeColumnOptions> = model.getAttributes();
    const { createdAt, updatedAt } = model.options;
    const timestamps = new Set([createdAt, updatedAt].filter((name): name is string => typeof name === 'string'));
    const seen = new Set<string>();
    for (const [name, attribute] of Object.entries(attributes)) {
      if ((attribute.type as { key?: string }).key === 'VIRTUAL') continue;
      const column = attribute.field ?? name;
      seen.add(column);
      const where = `${table}.${column}`;
      const dbColumn = inDb.get(column);
      if (!dbColumn) {
        problems.push(`${where}: attribute of model ${model.name} but no such column in the database`);
        continue;
      }
      const expected = expectedType(attribute.type);
      if (typeof expected === 'string') {
        problems.push(`${where}: ${expected}`);
      } else if (!typeMatches(expected, dbColumn)) {
        const types = `${describeDbType(dbColumn)} in the database but ${describeExpected(expected)}`;
        problems.push(`${where}: type is ${types} in model ${model.name}`);
      }
      const modelNullable = attribute.allowNull !== false && attribute.primaryKey !== true;
      const dbNullable = dbColumn.is_nullable === 'YES';
      if (modelNullable !== dbNullable) {
        const state = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
        problems.push(`${where}: ${state(dbNullable)} in the database but ${state(modelNullable)} in model ${model.name}`);
      }
      // Identity and generated columns take no defaultValue; Sequelize fills in its own timestamps.
      const dbHasDefault = dbColumn.column_default !== null;
      const modelHasDefault = attribute.defaultValue !== undefined;
      const ownDefault = dbColumn.is_identity === 'YES' || dbColumn.is_generated === 'ALWAYS' || timestamps.has(name);
      if (!ownDefault && dbHasDefault !== modelHasDefault) {
        problems.push(
          dbHasDefault
            ? `${where}: has DEFAULT ${dbColumn.column_default} in the database but no defaultValue in model ${model.name}`
            : `${where}: has a defaultValue in model ${model.name} but no DEFAULT in the database`,
        );
      }
    }
    for (const column of inDb.keys()) {
      if (!seen.has(column)) problems.push(`${table}.${column}: column in the database but no attribute in model ${model.name}`);
    }
  }
  for (const table of dbTables) {
    if (!modelTables.has(table) && !TABLES_WITHOUT_MODEL.has(table)) {
      problems.push(`${table}: table in the database but no model`);
    }
  }
  return problems.sort();
}

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
      await client.query("ALTER TABLE revisions ALTER COLUMN status DROP DEFAULT");
      await client.query('CREATE TABLE stray_things (id integer)');
      await client.query('ALTER TABLE manual_steps RENAME TO manual_steps_old');
      const problems = await findSchemaDrift((sql) => client.query(sql));
      const expected = [
        'parts.drift: column in the database but no attribute in model Part',
        'parts.description: type is character varying(400) in the database but character varying(500) in model Part',
        'work_centers.description: NOT NULL in the database but nullable in model WorkCenter',
        'sub_steps.lower_limit: type is numeric(14,3) in the database but numeric(14,4) in model SubStep',
        'approvals.target_id: type is bigint in the database but integer in model Approval',
        'users.last_login_at: attribute of model User but no such column in the database',
        "revisions.status: has a defaultValue in model Revision but no DEFAULT in the database",
        'stray_things: table in the database but no model',
        'manual_steps: model ManualStep has no table in the database',
        'manual_steps_old: table in the database but no model',
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
