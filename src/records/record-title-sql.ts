import { Op, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { RECORD_NAMES, type PanelTitle } from '../tables/record-names.js';

/**
 * The panel's record titles (tables/record-names.ts) as Sequelize expressions: selected beside a
 * row's columns, sorted by, searched in (every word typed must appear somewhere in the title) and
 * used to keep what may not be chosen out of a form's picker.
 */

/** The virtual property every titled resource shows and searches (AdminJS's titleProperty). */
export const TITLE_PROPERTY = 'title';

/** A pseudo-filter a form's picker sends: only records that may be chosen now (panel/components/reference-picker.tsx). */
export const CHOOSABLE_FILTER = 'choosable';

function tableOf(model: ModelStatic<Model>): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

function titleOf(model: ModelStatic<Model>): PanelTitle | undefined {
  return RECORD_NAMES[tableOf(model)]?.panel;
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
