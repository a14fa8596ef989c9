import { HasMany, type Model, type ModelStatic } from 'sequelize';
import { Traveler } from '../models/index.js';

/**
 * A record's family: the records that belong to it, whose changes its History shows with its
 * own. Which associations make a family is said here; what they join (the child's table, the
 * column that points at the parent) is read from the associations themselves
 * (models/associations.ts), so that a renamed key or table cannot leave History searching the
 * old one. Most associations are references rather than belonging: a part's travelers, a
 * revision's work orders have histories of their own, and the page of a part that listed every
 * traveler's every change would be unreadable.
 *
 * Labor is a traveler's through its own traveler_id: the same entries reached again through the
 * step or manual step they were booked on would only be searched twice.
 */
const FAMILIES: Family[] = [family(Traveler, { steps: { subSteps: {} }, manualSteps: {}, laborEntries: {} })];

/** Aliases of hasMany associations, each with the aliases of its target's that belong too. */
interface Tree {
  [alias: string]: Tree;
}

interface Family {
  model: ModelStatic<Model>;
  tree: Tree;
}

/** The first level's aliases are checked against the model's declared associations (its NonAttribute properties). */
function family<M extends Model>(model: ModelStatic<M>, tree: Partial<Record<Extract<keyof M, string>, Tree>>): Family {
  return { model: model as unknown as ModelStatic<Model>, tree: tree as Tree };
}

export interface ChildSpec {
  table: string;
  /** The column of the child that points at its parent. */
  key: string;
  children: ChildSpec[];
}

function tableOf(model: ModelStatic<Model>): string {
  const name = model.getTableName();
  return typeof name === 'string' ? name : name.tableName;
}

/**
 * The tables that belong to records of `table`, each with its own, from the associations the
 * models were given when they were bound to their database (models/index.ts, initModels). Only a
 * family's head has one: a traveler step's own History is the step's, as a sub-step's is.
 */
export function historyChildren(table: string): ChildSpec[] {
  const head = FAMILIES.find((f) => tableOf(f.model) === table);
  return head ? childrenOf(head.model, head.tree) : [];
}

/**
 * An alias that is not a hasMany of its model is a mistake of FAMILIES, raised rather than
 * passed over: a History that silently lost a child table would hide changes.
 */
function childrenOf(model: ModelStatic<Model>, tree: Tree): ChildSpec[] {
  return Object.entries(tree).map(([alias, subtree]) => {
    const association = model.associations[alias];
    if (!(association instanceof HasMany)) {
      throw new Error(`History's family names ${model.name}.${alias}, which is not a hasMany association (are the models initialised?)`);
    }
    const child = association.target;
    const key = child.getAttributes()[association.foreignKey]?.field ?? association.foreignKey;
    return { table: tableOf(child), key, children: childrenOf(child, subtree) };
  });
}

/** Tables whose changes a record's History shows: its own, and its readable children's. */
export function historyTables(table: string, canReadTable: (table: string) => boolean): string[] {
  const tables = [table];
  const walk = (specs: ChildSpec[]) => {
    for (const spec of specs) {
      if (!canReadTable(spec.table)) continue;
      tables.push(spec.table);
      walk(spec.children);
    }
  };
  walk(historyChildren(table));
  return tables;
}
