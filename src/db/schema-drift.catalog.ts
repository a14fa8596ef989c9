/**
 * What the migrated database has, read from its catalog: its tables, their columns as
 * information_schema reports them, and its constraints and indexes as column lists.
 */

export type Query = (sql: string) => Promise<{ rows: Array<Record<string, unknown>> }>;

export interface DbColumn {
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

export interface Catalog {
  tables: Set<string>;
  /** Columns by table, then by name. */
  columns: Map<string, Map<string, DbColumn>>;
  /** Foreign, unique and primary keys and indexes: table_name, kind (f, u, p, ui, i), name, columns, ref_table. */
  constraints: Array<Record<string, unknown>>;
}

export async function readCatalog(query: Query): Promise<Catalog> {
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
  return { tables: dbTables, columns: dbColumns, constraints: constraints.rows };
}

/** Whether the table has a constraint or index of one of `kinds` on exactly these columns (to `refTable`, when given). */
export function hasConstraint(catalog: Catalog, table: string, kinds: string[], columnList: string[], refTable?: string): boolean {
  return catalog.constraints.some(
    (r) =>
      r.table_name === table &&
      kinds.includes(String(r.kind)) &&
      (r.columns as string[]).join(',') === columnList.join(',') &&
      (refTable === undefined || r.ref_table === refTable),
  );
}

/** Whether a foreign key of the table to `refTable` includes the column (a composite key covers each of its columns). */
export function hasForeignKeyOn(catalog: Catalog, table: string, refTable: string, column: string): boolean {
  return catalog.constraints.some((r) => r.table_name === table && r.kind === 'f' && r.ref_table === refTable && (r.columns as string[]).includes(column));
}

export function describeDbType(c: DbColumn): string {
  if (c.data_type === 'character varying' || c.data_type === 'character') return `${c.data_type}(${c.character_maximum_length ?? 'no limit'})`;
  if (c.data_type === 'numeric') return `numeric(${c.numeric_precision ?? '?'},${c.numeric_scale ?? '?'})`;
  return c.data_type;
}
