import type { Model, ModelAttributeColumnOptions, ModelStatic } from 'sequelize';

/**
 * What the Sequelize models declare and the migrated database disagree on: columns (type,
 * nullability, default), tables, and the constraints and indexes the models declare (foreign
 * keys, unique keys, indexes). Each difference names itself for a person and carries the SQL that
 * would make the database follow the models (up) and undo that (down), for
 * `nexus db:migrate:generate` to write out for review. The schema test holds the two equal.
 */

export interface Drift {
  /** One line a person reads: table.column: what differs. */
  message: string;
  up: string[];
  down: string[];
}

export type Query = (sql: string) => Promise<{ rows: Array<Record<string, unknown>> }>;
type AnyModel = ModelStatic<Model>;

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
  'login_throttle',
  'nexus_roles',
]);

interface DbColumn {
  table_name: string;
  column_name: string;
  data_type: string;
  sql_type: string;
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
      return `has Sequelize type ${String(t.key)}, which NEXUS cannot map to a PostgreSQL type: add it to expectedType() in src/db/schema-drift.ts`;
  }
}

function describeDbType(c: DbColumn): string {
  if (c.data_type === 'character varying' || c.data_type === 'character') return `${c.data_type}(${c.character_maximum_length ?? 'no limit'})`;
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
  // numeric without (p,s) in either place is "any precision": both sides must say the same.
  if (e.dataType === 'numeric') return (e.precision ?? null) === c.numeric_precision && (e.scale ?? null) === c.numeric_scale;
  return true;
}

function tableNameOf(model: AnyModel): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface SqlHelpers {
  /** The column's definition as Sequelize writes it for PostgreSQL: type, NOT NULL, DEFAULT, REFERENCES. */
  definition(model: AnyModel, name: string, attribute: ModelAttributeColumnOptions): string;
  type(attribute: ModelAttributeColumnOptions): string;
  literal(value: unknown): string;
  createTable(model: AnyModel): string;
}

function sqlHelpers(model: AnyModel): SqlHelpers {
  const generator = model.sequelize!.getQueryInterface().queryGenerator as unknown as {
    attributesToSQL(attributes: Record<string, unknown>): Record<string, string>;
    escape(value: unknown): string;
  };
  return {
    definition: (_model, name, attribute) => generator.attributesToSQL({ [name]: attribute })[name]!,
    type: (attribute) => (attribute.type as unknown as { toSql(): string }).toSql(),
    literal: (value) => generator.escape(value),
    createTable: (m) => {
      const attributes = Object.entries(m.getAttributes()).filter(([, a]) => (a.type as { key?: string }).key !== 'VIRTUAL');
      const sql = generator.attributesToSQL(Object.fromEntries(attributes.map(([name, a]) => [a.field ?? name, a])));
      return `CREATE TABLE ${ident(tableNameOf(m))} (\n  ${Object.entries(sql)
        .map(([c, d]) => `${ident(c)} ${d}`)
        .join(',\n  ')}\n);`;
    },
  };
}

/** Unique keys a model declares: `unique: true` on one column, or one name shared by several. */
function declaredUniqueKeys(model: AnyModel): Array<{ name: string; columns: string[] }> {
  const keys = new Map<string, string[]>();
  const table = tableNameOf(model);
  for (const [name, attribute] of Object.entries(model.getAttributes())) {
    const unique = attribute.unique as boolean | string | { name?: string } | undefined;
    if (!unique) continue;
    const column = attribute.field ?? name;
    const key = unique === true ? `${table}_${column}_key` : typeof unique === 'string' ? unique : (unique.name ?? `${table}_${column}_key`);
    keys.set(key, [...(keys.get(key) ?? []), column]);
  }
  return [...keys.entries()].map(([name, columns]) => ({ name, columns }));
}

function declaredIndexes(model: AnyModel): Array<{ name: string; columns: string[]; unique: boolean }> {
  const table = tableNameOf(model);
  return (model.options.indexes ?? []).map((index) => {
    const columns = (index.fields ?? []).map((f) => (typeof f === 'string' ? f : (f as { name: string }).name));
    return { name: index.name ?? `${table}_${columns.join('_')}`, columns, unique: Boolean(index.unique) };
  });
}

/** Every difference between the models and the database reached through `query`. */
export async function compareModelsWithDatabase(query: Query, models: readonly AnyModel[]): Promise<Drift[]> {
  const drift: Drift[] = [];
  // Partitions (audit_logs_default) are storage of their parent table, not tables of their own.
  const tables = await query(`
    SELECT c.relname AS table_name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition`);
  const dbTables = new Set(tables.rows.map((r) => String(r.table_name)));
  const columns = await query(`
    SELECT c.table_name, c.column_name, c.data_type, c.character_maximum_length, c.numeric_precision, c.numeric_scale,
           c.is_nullable, c.column_default, c.is_identity, c.is_generated,
           format_type(a.atttypid, a.atttypmod) AS sql_type
      FROM information_schema.columns c
      JOIN pg_attribute a ON a.attrelid = format('public.%I', c.table_name)::regclass AND a.attname = c.column_name
     WHERE c.table_schema = 'public'`);
  const dbColumns = new Map<string, Map<string, DbColumn>>();
  for (const row of columns.rows as unknown as DbColumn[]) {
    if (!dbTables.has(row.table_name)) continue;
    let table = dbColumns.get(row.table_name);
    if (!table) dbColumns.set(row.table_name, (table = new Map()));
    table.set(row.column_name, row);
  }
  // Constraints and indexes as column lists, whatever they are named.
  const constraints = await query(`
    SELECT c.relname AS table_name, con.contype::text AS kind, con.conname AS name,
           array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.n ORDER BY k.i) AS columns,
           ref.relname AS ref_table
      FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_class ref ON ref.oid = con.confrelid
     WHERE n.nspname = 'public' AND con.contype IN ('f', 'u', 'p')
    UNION ALL
    SELECT t.relname, CASE WHEN ix.indisunique THEN 'ui' ELSE 'i' END, i.relname,
           array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.n ORDER BY k.o),
           NULL
      FROM pg_index ix JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
     WHERE n.nspname = 'public' AND ix.indpred IS NULL`);
  const has = (table: string, kinds: string[], columnList: string[], refTable?: string) =>
    constraints.rows.some(
      (r) =>
        r.table_name === table &&
        kinds.includes(String(r.kind)) &&
        (r.columns as string[]).join(',') === columnList.join(',') &&
        (refTable === undefined || r.ref_table === refTable),
    );

  const modelTables = new Set<string>();
  for (const model of models) {
    const table = tableNameOf(model);
    const sql = sqlHelpers(model);
    modelTables.add(table);
    const inDb = dbColumns.get(table);
    if (!dbTables.has(table) || !inDb) {
      drift.push({
        message: `${table}: model ${model.name} has no table in the database`,
        up: [sql.createTable(model)],
        down: [`DROP TABLE ${ident(table)};`],
      });
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
      const alter = `ALTER TABLE ${ident(table)} ALTER COLUMN ${ident(column)}`;
      const dbColumn = inDb.get(column);
      if (!dbColumn) {
        drift.push({
          message: `${where}: attribute of model ${model.name} but no such column in the database`,
          up: [`ALTER TABLE ${ident(table)} ADD COLUMN ${ident(column)} ${sql.definition(model, column, attribute)};`],
          down: [`ALTER TABLE ${ident(table)} DROP COLUMN ${ident(column)};`],
        });
        continue;
      }
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
        const covered = constraints.rows.some(
          (r) => r.table_name === table && r.kind === 'f' && r.ref_table === refTable && (r.columns as string[]).includes(column),
        );
        if (!covered) {
          const name = `${table}_${column}_fkey`;
          const onDelete = (attribute as { onDelete?: string }).onDelete;
          drift.push({
            message: `${where}: model ${model.name} declares a foreign key to ${refTable}, the database has none`,
            up: [
              `ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(name)} FOREIGN KEY (${ident(column)}) REFERENCES ${ident(refTable)} (${ident(references.key ?? 'id')})${onDelete ? ` ON DELETE ${onDelete.toUpperCase()}` : ''};`,
            ],
            down: [`ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(name)};`],
          });
        }
      }
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
      if (has(table, ['u', 'ui', 'p'], key.columns)) continue;
      drift.push({
        message: `${table}(${key.columns.join(', ')}): model ${model.name} declares a unique key (${key.name}), the database has none`,
        up: [`ALTER TABLE ${ident(table)} ADD CONSTRAINT ${ident(key.name)} UNIQUE (${key.columns.map(ident).join(', ')});`],
        down: [`ALTER TABLE ${ident(table)} DROP CONSTRAINT ${ident(key.name)};`],
      });
    }
    for (const index of declaredIndexes(model)) {
      if (has(table, index.unique ? ['u', 'ui', 'p'] : ['i', 'ui', 'u', 'p'], index.columns)) continue;
      drift.push({
        message: `${table}(${index.columns.join(', ')}): model ${model.name} declares an index (${index.name}), the database has none`,
        up: [`CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${ident(index.name)} ON ${ident(table)} (${index.columns.map(ident).join(', ')});`],
        down: [`DROP INDEX ${ident(index.name)};`],
      });
    }
  }
  for (const table of dbTables) {
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
