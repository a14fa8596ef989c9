import { Op, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';

/**
 * How the panel names a record where it is chosen or linked: "ORB-7001 rev A",
 * "ORB-7001 A / 20 Final inspection", not "A" four times. A title is SQL over the row and its
 * parents, computed by PostgreSQL with the rows it names (one query per list or picker page),
 * and searchable by any part of it: every word typed must appear somewhere in the title.
 *
 * The audit views name records differently on purpose (audit/record-titles.ts): they must name
 * deleted records too, from the values the audit trail kept, so they use a row's own columns only.
 */

/** The virtual property every titled resource shows and searches (AdminJS's titleProperty). */
export const TITLE_PROPERTY = 'title';

/** A pseudo-filter a form's picker sends: only records that may be chosen now (panel/components/reference-picker.tsx). */
export const CHOOSABLE_FILTER = 'choosable';

interface PanelTitle {
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

const partRevision = (revisionId: string) =>
  `(SELECT p.part_number || ' ' || r.revision_code FROM revisions r JOIN parts p ON p.id = r.part_id WHERE r.id = ${revisionId})`;
const processStep = (stepId: string) =>
  `(SELECT ${partRevision('s.revision_id')} || ' / ' || s.step_number || ' ' || s.operation FROM process_steps s WHERE s.id = ${stepId})`;
const travelerNumber = (travelerId: string) => `(SELECT tr.number FROM travelers tr WHERE tr.id = ${travelerId})`;
const travelerStep = (stepId: string) =>
  `(SELECT ${travelerNumber('s.traveler_id')} || ' / ' || s.step_number || ' ' || s.operation FROM traveler_steps s WHERE s.id = ${stepId})`;

const TITLES: Record<string, PanelTitle> = {
  // Short enough for a list column; found by the rest too.
  users: { sql: '$t.full_name', searchSql: `$t.full_name || ' ' || $t.username || ' ' || $t.email`, choosable: '$t.active' },
  customers: { sql: '$t.name', searchSql: `$t.code || ' ' || $t.name`, choosable: '$t.active' },
  work_centers: { sql: '$t.name', searchSql: `$t.code || ' ' || $t.name`, choosable: '$t.active' },
  parts: { sql: '$t.part_number', searchSql: `$t.part_number || ' ' || $t.description`, choosable: '$t.active' },
  revisions: {
    sql: `(SELECT p.part_number FROM parts p WHERE p.id = $t.part_id) || ' rev ' || $t.revision_code`,
    choosable: `$t.status <> 'obsolete'`,
  },
  process_steps: { sql: `${partRevision('$t.revision_id')} || ' / ' || $t.step_number || ' ' || $t.operation` },
  sub_steps: { sql: `${processStep('$t.process_step_id')} || ' / ' || $t.sequence || ' ' || $t.description` },
  work_orders: { sql: '$t.number', searchColumn: 'number', choosable: `$t.status NOT IN ('completed', 'cancelled')` },
  travelers: { sql: '$t.number', searchColumn: 'number', choosable: `$t.status NOT IN ('completed', 'cancelled')` },
  traveler_steps: { sql: `${travelerNumber('$t.traveler_id')} || ' / ' || $t.step_number || ' ' || $t.operation` },
  traveler_sub_steps: { sql: `${travelerStep('$t.traveler_step_id')} || ' / ' || $t.sequence || ' ' || $t.description` },
  manual_steps: { sql: `${travelerNumber('$t.traveler_id')} || ' / after ' || $t.after_step_number || ' ' || $t.operation` },
  labor_entries: {
    sql: `${travelerNumber('$t.traveler_id')} || ' · ' || (SELECT u.full_name FROM users u WHERE u.id = $t.user_id) || ' · ' || to_char($t.started_at, 'YYYY-MM-DD HH24:MI')`,
  },
};

function tableOf(model: ModelStatic<Model>): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

function titleOf(model: ModelStatic<Model>): PanelTitle | undefined {
  return TITLES[tableOf(model)];
}

/** Sequelize selects the row as its model's name: `"Revision"."part_id"`. */
function bind(sql: string, model: ModelStatic<Model>): string {
  return sql.replaceAll('$t.', `"${model.name.replace(/"/g, '""')}".`);
}

export function hasPanelTitle(model: ModelStatic<Model>): boolean {
  return titleOf(model) !== undefined;
}

/** The title as SQL over the model's row: selected beside its columns, or sorted by. */
export function titleLiteral(model: ModelStatic<Model>): ReturnType<typeof Sequelize.literal> | undefined {
  const title = titleOf(model);
  return title ? Sequelize.literal(bind(title.sql, model)) : undefined;
}

/** The extra attribute that puts the title into each row the adapter reads. */
export function titleAttributes(model: ModelStatic<Model>): { include: Array<[ReturnType<typeof Sequelize.literal>, string]> } | undefined {
  const literal = titleLiteral(model);
  return literal ? { include: [[literal, TITLE_PROPERTY]] } : undefined;
}

const escapeLike = (word: string) => word.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Every word of the text somewhere in the title (or, for large tables, in its indexed number). */
export function titleSearch(model: ModelStatic<Model>, text: string): WhereOptions | undefined {
  const title = titleOf(model);
  const words = text.split(/\s+/).filter(Boolean).slice(0, 8);
  if (!title || words.length === 0) return undefined;
  const target = title.searchColumn ? Sequelize.col(`${model.name}.${title.searchColumn}`) : Sequelize.literal(bind(title.searchSql ?? title.sql, model));
  return { [Op.and]: words.map((word) => Sequelize.where(target, Op.iLike, `%${escapeLike(word)}%`)) };
}

/** What a form's picker may offer of this table; undefined when anything may be chosen. */
export function choosableWhere(model: ModelStatic<Model>): WhereOptions | undefined {
  const title = titleOf(model);
  return title?.choosable ? Sequelize.literal(bind(title.choosable, model)) : undefined;
}
