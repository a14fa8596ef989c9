import type { Model, ModelAttributeColumnOptions, ModelStatic } from 'sequelize';

/**
 * What a Sequelize model declares, put in the terms the database's catalog reports (a column's
 * type as information_schema names it, unique keys and indexes as column lists), and the SQL
 * Sequelize itself would write for it, so that a generated migration says what the model says.
 */

export type AnyModel = ModelStatic<Model>;

export interface ExpectedType {
  dataType: string;
  length?: number;
  precision?: number;
  scale?: number;
}

/** What information_schema.columns reports for the column behind a Sequelize type. */
export function expectedType(type: unknown): ExpectedType | string {
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
      return `has Sequelize type ${String(t.key)}, which NEXUS cannot map to a PostgreSQL type: add it to expectedType() in src/db/schema-drift.models.ts`;
  }
}

export function describeExpected(e: ExpectedType): string {
  if (e.length !== undefined) return `${e.dataType}(${e.length})`;
  if (e.dataType === 'numeric') return `numeric(${e.precision ?? '?'},${e.scale ?? '?'})`;
  return e.dataType;
}

export function tableNameOf(model: AnyModel): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

export const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

export interface SqlHelpers {
  /** The column's definition as Sequelize writes it for PostgreSQL: type, NOT NULL, DEFAULT, REFERENCES. */
  definition(model: AnyModel, name: string, attribute: ModelAttributeColumnOptions): string;
  type(attribute: ModelAttributeColumnOptions): string;
  literal(value: unknown): string;
  createTable(model: AnyModel): string;
}

export function sqlHelpers(model: AnyModel): SqlHelpers {
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
export function declaredUniqueKeys(model: AnyModel): Array<{ name: string; columns: string[] }> {
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

export function declaredIndexes(model: AnyModel): Array<{ name: string; columns: string[]; unique: boolean }> {
  const table = tableNameOf(model);
  return (model.options.indexes ?? []).map((index) => {
    const columns = (index.fields ?? []).map((f) => (typeof f === 'string' ? f : (f as { name: string }).name));
    return { name: index.name ?? `${table}_${columns.join('_')}`, columns, unique: Boolean(index.unique) };
  });
}
