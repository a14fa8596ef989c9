import type { ModelAttributeColumnOptions } from 'sequelize';
import { describeDbType, hasConstraint, hasForeignKeyOn, readCatalog, type Catalog, type DbColumn, type Query } from './schema-drift.catalog.js';
import {
  declaredIndexes,
  declaredUniqueKeys,
  describeExpected,
  expectedType,
  ident,
  sqlHelpers,
  tableNameOf,
  type AnyModel,
  type ExpectedType,
  type SqlHelpers,
} from './schema-drift.models.js';

export type { Query } from './schema-drift.catalog.js';

/**
 * What the Sequelize models declare and the migrated database disagree on: columns (type,
 * nullability, default), tables, and the constraints and indexes the models declare (foreign
 * keys, unique keys, indexes). Each difference names itself for a person and carries the SQL that
 * would make the database follow the models (up) and undo that (down), for
 * `nexus db:migrate:generate` to write out for review. The schema test holds the two equal.
 * The database's side is read by schema-drift.catalog.ts, the models' side by schema-drift.models.ts.
 */

export interface Drift {
  /** One line a person reads: table.column: what differs. */
  message: string;
  up: string[];
  down: string[];
}

/**
 * Tables that belong to libraries (sessions, migration bookkeeping) or to the audit trail's
 * tamper evidence (read and written by src/audit/ in SQL), not to a model.
 */
export const TABLES_WITHOUT_MODEL = new Set([
  'sessions',
  'schema_migrations',
  'schema_seeds',
  'audit_chain',
  'audit_seals',
  'audit_archives',
  'audit_anchors',
  'audit_record_months',
  'audit_record_months_progress',
  'login_throttle',
  'nexus_roles',
]);

function typeMatches(e: ExpectedType, c: DbColumn): boolean {
  if (e.dataType !== c.data_type) return false;
  if (e.length !== undefined && e.length !== c.character_maximum_length) return false;
  // numeric without (p,s) in either place is "any precision": both sides must say the same.
  if (e.dataType === 'numeric') return (e.precision ?? null) === c.numeric_precision && (e.scale ?? null) === c.numeric_scale;
  return true;
}

interface ColumnSide {
  model: AnyModel;
  table: string;
  /** The attribute's name in the model; `column` is its column in the table. */
  name: string;
  column: string;
  attribute: ModelAttributeColumnOptions;
  dbColumn: DbColumn;
  sql: SqlHelpers;
  /** The model's timestamp attributes, whose values Sequelize fills in itself. */
  timestamps: Set<string>;
}

/** How one attribute's column differs: its type, nullability, default and foreign key. */
function columnDrift(catalog: Catalog, { model, table, name, column, attribute, dbColumn, sql, timestamps }: ColumnSide): Drift[] {
  const drift: Drift[] = [];
  const where = `${table}.${column}`;
  const alter = `ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(column)}`;
  const expected = expectedType(attribute.type);
  if (typeof expected === 'string') {
    drift.push({ message: `${where}: ${expected}`, up: [], down: [] });
  } else if (!typeMatches(expected, dbColumn)) {
    const modelType = sql.type(attribute);
    drift.push({
      message: `${where}: type is ${describeDbType(dbColumn)} in the database but ${describeExpected(expected)} in model ${model.name}`,
      up: [`${alter} TYPE ${modelType} USING ${ident(column)}::${modelType};`],
      down: [`${alter} TYPE ${dbColumn.sql_type} USING ${ident(column)}::${dbColumn.sql_type};`],
    });
  }
  const modelNullable = attribute.allowNull !== false && attribute.primaryKey !== true;
  const dbNullable = dbColumn.is_nullable === 'YES';
  if (modelNullable !== dbNullable) {
    const state = (nullable: boolean) => (nullable ? 'nullable' : 'NOT NULL');
    drift.push({
      message: `${where}: ${state(dbNullable)} in the database but ${state(modelNullable)} in model ${model.name}`,
      up: [`${alter} ${modelNullable ? 'DROP' : 'SET'} NOT NULL;`],
      down: [`${alter} ${modelNullable ? 'SET' : 'DROP'} NOT NULL;`],
    });
  }
  // Identity and generated columns take no defaultValue; Sequelize fills in its own timestamps.
  const dbHasDefault = dbColumn.column_default !== null;
  const modelHasDefault = attribute.defaultValue !== undefined;
  const ownDefault = dbColumn.is_identity === 'YES' || dbColumn.is_generated === 'ALWAYS' || timestamps.has(name);
  if (!ownDefault && dbHasDefault !== modelHasDefault) {
    drift.push(
      dbHasDefault
        ? {
            message: `${where}: has DEFAULT ${dbColumn.column_default} in the database but no defaultValue in model ${model.name}`,
            up: [`${alter} DROP DEFAULT;`],
            down: [`${alter} SET DEFAULT ${dbColumn.column_default};`],
          }
        : {
            message: `${where}: has a defaultValue in model ${model.name} but no DEFAULT in the database`,
            up: [`${alter} SET DEFAULT ${sql.literal(attribute.defaultValue)};`],
            down: [`${alter} DROP DEFAULT;`],
          },
    );
  }
  const references = attribute.references as { model?: string | { tableName?: string }; key?: string } | undefined;
  if (references) {
    const refTable = typeof references.model === 'string' ? references.model : (references.model?.tableName ?? '');
    // A composite key (a step and its traveler together) covers the column too.
    if (!hasForeignKeyOn(catalog, table, refTable, column)) {
      const fkName = `${table}_${column}_fkey`;
      const onDelete = (attribute as { onDelete?: string }).onDelete;
      drift.push({
        message: `${where}: model ${model.name} declares a foreign key to ${refTable}, the database has none`,
        up: [
          `ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(fkName)} FOREIGN KEY (${ident(column)}) REFERENCES ${ident(refTable)} (${ident(references.key ?? 'id')})${onDelete ? ` ON DELETE ${onDelete.toUpperCase()}` : ''};`,
        ],
        down: [`ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(fkName)};`],
      });
    }
  }
  return drift;
}

/** How one model's table differs: missing, or its columns, unique keys and indexes. */
function modelDrift(catalog: Catalog, model: AnyModel): Drift[] {
  const drift: Drift[] = [];
  const table = tableNameOf(model);
  const sql = sqlHelpers(model);
  const inDb = catalog.columns.get(table);
  if (!catalog.tables.has(table) || !inDb) {
    return [{ message: `${table}: model ${model.name} has no table in the database`, up: [sql.createTable(model)], down: [`DROP TABLE ${ident(table)};`] }];
  }
  const attributes: Record<string, ModelAttributeColumnOptions> = model.getAttributes();
  const { createdAt, updatedAt } = model.options;
  const timestamps = new Set([createdAt, updatedAt].filter((name): name is string => typeof name === 'string'));
  const seen = new Set<string>();
  for (const [name, attribute] of Object.entries(attributes)) {
    if ((attribute.type as { key?: string }).key === 'VIRTUAL') continue;
    const column = attribute.field ?? name;
    seen.add(column);
    const dbColumn = inDb.get(column);
    if (!dbColumn) {
      drift.push({
        message: `${table}.${column}: attribute of model ${model.name} but no such column in the database`,
        up: [`ALTER TABLE ${ident(table)} ADD COLUMN ${ident(column)} ${sql.definition(model, column, attribute)};`],
        down: [`ALTER TABLE ${ident(table)} DROP COLUMN ${ident(column)};`],
      });
      continue;
    }
    drift.push(...columnDrift(catalog, { model, table, name, column, attribute, dbColumn, sql, timestamps }));
  }
  for (const [column, dbColumn] of inDb) {
    if (seen.has(column)) continue;
    drift.push({
      message: `${table}.${column}: column in the database but no attribute in model ${model.name}`,
      up: [`-- Review: this drops the column and its data.`, `ALTER TABLE ${ident(table)} DROP COLUMN ${ident(column)};`],
      down: [
        `ALTER TABLE ${ident(table)} ADD COLUMN ${ident(column)} ${dbColumn.sql_type}${dbColumn.is_nullable === 'NO' ? ' NOT NULL' : ''}${dbColumn.column_default ? ` DEFAULT ${dbColumn.column_default}` : ''};`,
      ],
    });
  }
  for (const key of declaredUniqueKeys(model)) {
    if (hasConstraint(catalog, table, ['u', 'ui', 'p'], key.columns)) continue;
    drift.push({
      message: `${table}(${key.columns.join(', ')}): model ${model.name} declares a unique key (${key.name}), the database has none`,
      up: [`ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(key.name)} UNIQUE (${key.columns.map(ident).join(', ')});`],
      down: [`ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(key.name)};`],
    });
  }
  for (const index of declaredIndexes(model)) {
    if (hasConstraint(catalog, table, index.unique ? ['u', 'ui', 'p'] : ['i', 'ui', 'u', 'p'], index.columns)) continue;
    drift.push({
      message: `${table}(${index.columns.join(', ')}): model ${model.name} declares an index (${index.name}), the database has none`,
      up: [`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ident(index.name)} ON ${ident(table)} (${index.columns.map(ident).join(', ')});`],
      down: [`DROP INDEX ${ident(index.name)};`],
    });
  }
  return drift;
}

/** Every difference between the models and the database reached through `query`. */
export async function compareModelsWithDatabase(query: Query, models: readonly AnyModel[]): Promise<Drift[]> {
  const catalog = await readCatalog(query);
  const drift: Drift[] = [];
  const modelTables = new Set<string>();
  for (const model of models) {
    modelTables.add(tableNameOf(model));
    drift.push(...modelDrift(catalog, model));
  }
  for (const table of catalog.tables) {
    if (!modelTables.has(table) && !TABLES_WITHOUT_MODEL.has(table)) {
      drift.push({ message: `${table}: table in the database but no model`, up: [`-- Review: ${table} has no model; drop it or give it one.`], down: [] });
    }
  }
  return drift.sort((a, b) => a.message.localeCompare(b.message));
}

/** The differences, one line each: empty when the models mirror the schema. */
export async function findSchemaDrift(query: Query, models: readonly AnyModel[]): Promise<string[]> {
  return (await compareModelsWithDatabase(query, models)).map((d) => d.message).sort();
}
