import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * How the audit views name a record: "T-26002", "Step 20 — Mill op 1", "Midwest Hydraulics
 * LLC". A title is made from the record's own columns only, so that a record deleted since can
 * still be named from the values the audit trail last recorded for it.
 */
interface TitleSpec {
  fields: string[];
  format(values: Record<string, string | null>, id: string): string | null;
}

const column = (field: string): TitleSpec => ({ fields: [field], format: (v) => v[field] ?? null });

const step: TitleSpec = {
  fields: ['step_number', 'operation'],
  format: (v) => (v.step_number || v.operation ? `Step ${v.step_number ?? '?'} — ${v.operation ?? ''}`.trim() : null),
};

const subStep: TitleSpec = {
  fields: ['sequence', 'description'],
  format: (v) => (v.sequence || v.description ? `Sub-step ${v.sequence ?? '?'} — ${v.description ?? ''}`.trim() : null),
};

const TITLES: Record<string, TitleSpec> = {
  users: column('full_name'),
  customers: column('name'),
  work_centers: column('name'),
  parts: column('part_number'),
  revisions: { fields: ['revision_code'], format: (v) => (v.revision_code ? `Rev ${v.revision_code}` : null) },
  process_steps: step,
  sub_steps: subStep,
  work_orders: column('number'),
  travelers: column('number'),
  traveler_steps: step,
  traveler_sub_steps: subStep,
  manual_steps: {
    fields: ['after_step_number', 'operation'],
    format: (v) => (v.operation ? `Manual step after ${v.after_step_number ?? '?'} — ${v.operation}` : null),
  },
  labor_entries: { fields: [], format: (_v, id) => `Labor entry #${id}` },
  approvals: { fields: [], format: (_v, id) => `Approval #${id}` },
};

export interface RecordRef {
  table: string;
  id: string;
  /** What to show: the title, or "#12 (deleted)" and the like. */
  title: string;
  exists: boolean;
}

const KEY = /^\d{1,18}$/;
const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;

function refOf(table: string, id: string, exists: boolean, title: string | null): RecordRef {
  if (exists) return { table, id, exists, title: title ?? `#${id}` };
  return { table, id, exists, title: title ? `${title} (#${id}, deleted)` : `#${id} (deleted)` };
}

/**
 * Names the given records of one table in two queries at most: the live rows, then the audit
 * trail's last recorded values for those that no longer exist.
 */
async function titlesOfTable(sequelize: Sequelize, table: string, ids: string[]): Promise<Map<string, RecordRef>> {
  const spec = TITLES[table];
  const refs = new Map<string, RecordRef>();
  const keys = ids.filter((id) => KEY.test(id));
  if (!spec || keys.length === 0) {
    for (const id of ids) refs.set(id, { table, id, exists: true, title: `#${id}` });
    return refs;
  }
  const columns = spec.fields.map((f) => `${quote(f)}::text AS ${quote(f)}`);
  const live = await sequelize.query<Record<string, string | null> & { id: string }>(
    `SELECT id::text AS id${columns.map((c) => `, ${c}`).join('')} FROM ${quote(table)} WHERE id = ANY($1::bigint[])`,
    { bind: [keys], type: QueryTypes.SELECT },
  );
  for (const row of live) refs.set(row.id, refOf(table, row.id, true, spec.format(row, row.id)));

  const gone = keys.filter((id) => !refs.has(id));
  if (gone.length > 0) {
    const last = spec.fields.length
      ? await sequelize.query<{ record_id: string; field_name: string; value: string | null }>(
          `SELECT DISTINCT ON (record_id, field_name) record_id, field_name,
                  CASE WHEN action = 'delete' THEN old_value ELSE new_value END AS value
             FROM audit_logs
            WHERE table_name = $1 AND record_id = ANY($2::text[]) AND field_name = ANY($3::text[])
              AND action IN ('create', 'update', 'delete')
            ORDER BY record_id, field_name, occurred_at DESC, id DESC`,
          { bind: [table, gone, spec.fields], type: QueryTypes.SELECT },
        )
      : [];
    const known = new Map<string, Record<string, string | null>>();
    for (const row of last) known.set(row.record_id, { ...known.get(row.record_id), [row.field_name]: row.value });
    for (const id of gone) refs.set(id, refOf(table, id, false, known.has(id) ? spec.format(known.get(id)!, id) : null));
  }
  for (const id of ids) if (!refs.has(id)) refs.set(id, refOf(table, id, false, null));
  return refs;
}

/** Titles for records of several tables; the answer is keyed `${table}:${id}`. */
export async function recordTitles(sequelize: Sequelize, records: Array<{ table: string; id: string }>): Promise<Map<string, RecordRef>> {
  const byTable = new Map<string, Set<string>>();
  for (const { table, id } of records) {
    if (!byTable.has(table)) byTable.set(table, new Set());
    byTable.get(table)!.add(id);
  }
  const all = new Map<string, RecordRef>();
  for (const [table, ids] of byTable) {
    for (const [id, ref] of await titlesOfTable(sequelize, table, [...ids])) all.set(`${table}:${id}`, ref);
  }
  return all;
}

export function titleKey(table: string, id: string): string {
  return `${table}:${id}`;
}

/** Reference columns of a table, from the Sequelize model: field → referenced table. */
export function referenceTargets(sequelize: Sequelize, table: string): Map<string, string> {
  const refs = new Map<string, string>();
  const model = Object.values(sequelize.models).find((m) => {
    const name = m.getTableName();
    return (typeof name === 'string' ? name : name.tableName) === table;
  });
  if (!model) return refs;
  for (const [field, attribute] of Object.entries(model.getAttributes())) {
    const references = attribute.references;
    if (!field.endsWith('_id') || !references) continue;
    const target = typeof references === 'string' ? references : references.model;
    const targetTable = typeof target === 'string' ? target : (target as { tableName?: string } | undefined)?.tableName;
    if (targetTable) refs.set(field, targetTable);
  }
  return refs;
}
