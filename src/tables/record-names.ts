/**
 * How each table's records are named, in one place, in the two forms the product needs:
 *
 * - `panel`: where a record is chosen or linked ("ORB-7001 rev A", "ORB-7001 A / 20 Final
 *   inspection", not "A" four times). SQL over the live row `$t` and its parents, computed by
 *   PostgreSQL with the rows it names, searchable by any part of it (records/record-title-sql.ts).
 * - `audit`: where the audit trail names a record ("Step 20 — Mill op 1"). Made from the row's own
 *   columns, so that a record deleted since can still be named from the values the audit trail
 *   last kept for it (audit/record-titles.ts).
 */

export interface PanelTitle {
  /** SQL naming the row `$t` (correlated subqueries name its parents). */
  sql: string;
  /** What a search looks in, when more than the title: a part found by its description too. */
  searchSql?: string;
  /**
   * For tables that grow with the shop (a million travelers), the indexed column a search goes
   * through (its trigram index); each word must then appear in it. Small reference tables
   * search the whole title.
   */
  searchColumn?: string;
  /** What a form's picker may offer: an inactive customer or an obsolete revision is not chosen for new work. */
  choosable?: string;
}

export interface AuditTitle {
  fields: string[];
  /** Context only a live row has (its parent's name), as SQL over the row: absent once it is deleted. */
  live?: Record<string, string>;
  format(values: Record<string, string | null>, id: string): string | null;
}

export interface RecordName {
  panel?: PanelTitle;
  audit: AuditTitle;
}

const partRevision = (revisionId: string) =>
  `(SELECT p.part_number || ' ' || r.revision_code FROM revisions r JOIN parts p ON p.id = r.part_id WHERE r.id = ${revisionId})`;
const processStep = (stepId: string) =>
  `(SELECT ${partRevision('s.revision_id')} || ' / ' || s.step_number || ' ' || s.operation FROM process_steps s WHERE s.id = ${stepId})`;
const travelerNumber = (travelerId: string) => `(SELECT tr.number FROM travelers tr WHERE tr.id = ${travelerId})`;
const travelerStep = (stepId: string) =>
  `(SELECT ${travelerNumber('s.traveler_id')} || ' / ' || s.step_number || ' ' || s.operation FROM traveler_steps s WHERE s.id = ${stepId})`;

const column = (field: string): AuditTitle => ({ fields: [field], format: (v) => v[field] ?? null });

const step: AuditTitle = {
  fields: ['step_number', 'operation'],
  format: (v) => (v.step_number || v.operation ? `Step ${v.step_number ?? '?'} — ${v.operation ?? ''}`.trim() : null),
};

const subStep: AuditTitle = {
  fields: ['sequence', 'description'],
  format: (v) => (v.sequence || v.description ? `Sub-step ${v.sequence ?? '?'} — ${v.description ?? ''}`.trim() : null),
};

export const RECORD_NAMES: Readonly<Record<string, RecordName>> = {
  // Short enough for a list column; found by the rest too.
  users: {
    panel: { sql: '$t.full_name', searchSql: `$t.full_name || ' ' || $t.username || ' ' || $t.email`, choosable: '$t.active' },
    audit: column('full_name'),
  },
  customers: { panel: { sql: '$t.name', searchSql: `$t.code || ' ' || $t.name`, choosable: '$t.active' }, audit: column('name') },
  work_centers: { panel: { sql: '$t.name', searchSql: `$t.code || ' ' || $t.name`, choosable: '$t.active' }, audit: column('name') },
  parts: { panel: { sql: '$t.part_number', searchSql: `$t.part_number || ' ' || $t.description`, choosable: '$t.active' }, audit: column('part_number') },
  revisions: {
    panel: { sql: `(SELECT p.part_number FROM parts p WHERE p.id = $t.part_id) || ' rev ' || $t.revision_code`, choosable: `$t.status <> 'obsolete'` },
    // "HB-1042 rev A", as the panel names it: "Rev A" alone does not say of which part.
    audit: {
      fields: ['revision_code'],
      live: { part_number: `(SELECT p.part_number FROM parts p WHERE p.id = "revisions".part_id)` },
      format: (v) => (v.revision_code ? (v.part_number ? `${v.part_number} rev ${v.revision_code}` : `Rev ${v.revision_code}`) : null),
    },
  },
  process_steps: { panel: { sql: `${partRevision('$t.revision_id')} || ' / ' || $t.step_number || ' ' || $t.operation` }, audit: step },
  sub_steps: { panel: { sql: `${processStep('$t.process_step_id')} || ' / ' || $t.sequence || ' ' || $t.description` }, audit: subStep },
  work_orders: { panel: { sql: '$t.number', searchColumn: 'number', choosable: `$t.status NOT IN ('completed', 'cancelled')` }, audit: column('number') },
  travelers: { panel: { sql: '$t.number', searchColumn: 'number', choosable: `$t.status NOT IN ('completed', 'cancelled')` }, audit: column('number') },
  traveler_steps: { panel: { sql: `${travelerNumber('$t.traveler_id')} || ' / ' || $t.step_number || ' ' || $t.operation` }, audit: step },
  traveler_sub_steps: { panel: { sql: `${travelerStep('$t.traveler_step_id')} || ' / ' || $t.sequence || ' ' || $t.description` }, audit: subStep },
  manual_steps: {
    panel: { sql: `${travelerNumber('$t.traveler_id')} || ' / after ' || $t.after_step_number || ' ' || $t.operation` },
    audit: {
      fields: ['after_step_number', 'operation'],
      format: (v) => (v.operation ? `Manual step after ${v.after_step_number ?? '?'} — ${v.operation}` : null),
    },
  },
  labor_entries: {
    panel: {
      sql: `${travelerNumber('$t.traveler_id')} || ' · ' || (SELECT u.full_name FROM users u WHERE u.id = $t.user_id) || ' · ' || to_char($t.started_at, 'YYYY-MM-DD HH24:MI')`,
    },
    audit: { fields: [], format: (_v, id) => `Labor entry #${id}` },
  },
  approvals: { audit: { fields: [], format: (_v, id) => `Approval #${id}` } },
  mail_outbox: { audit: { fields: ['subject'], format: (v, id) => (v.subject ? `Mail #${id}: ${v.subject}` : `Mail #${id}`) } },
};
