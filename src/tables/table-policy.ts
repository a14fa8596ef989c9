import type { Model, ModelStatic, Transaction } from 'sequelize';
import type { NumberPatterns } from './record-numbers.js';

/** An attribute name of the model's table. */
export type FieldOf<M extends Model> = Extract<keyof M['_attributes'], string>;

export interface ChangeHookOptions {
  transaction?: Transaction | null;
  /** The app's number patterns, passed by the write pipeline through Sequelize's options (defaults without). */
  numbers?: NumberPatterns;
}

/** A hook that runs on every write of the table, inside the write's transaction. */
export type ChangeHook<M extends Model> = (record: M, options: ChangeHookOptions) => Promise<void>;

/**
 * How one table behaves under writes beyond its schema: the model file holds the columns and the
 * rules a single row must keep; the policy says which fields only workflows move, who is recorded
 * as acting, and the checks that need other tables (read in the write's transaction). The generic
 * write path (src/records) and the panel read policies through `policyOf`, never through casts.
 */
export interface TablePolicy<M extends Model = Model> {
  readonly model: ModelStatic<M>;
  /** Fields only a workflow moves, each with how it is moved instead (a form setting one is refused on it). */
  readonly workflowFields?: Readonly<Partial<Record<FieldOf<M>, string>>>;
  /** Fields no writer sets: the table derives them (a traveler's customer is its work order's). */
  readonly derivedFields?: readonly FieldOf<M>[];
  /** The field that records who acted: a create sets it from the actor, whatever the input said. */
  readonly actorField?: FieldOf<M>;
  /** The field each named model rule's message belongs with (shown on that field, not on the form). */
  readonly ruleFields?: Readonly<Record<string, FieldOf<M>>>;
  /** Fields a new record may leave empty: a hook fills them (a number of the configured pattern). */
  readonly generatedWhenEmpty?: readonly FieldOf<M>[];
  /** Checks and derivations that read other tables, run by Sequelize around each write. */
  readonly hooks?: {
    readonly beforeValidate?: ChangeHook<M>;
    readonly beforeSave?: ChangeHook<M>;
  };
}

/** Declares a table's policy, typed against its model's attributes. */
export function tablePolicy<M extends Model>(policy: TablePolicy<M>): TablePolicy<M> {
  return policy;
}
