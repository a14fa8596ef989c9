import { OptimisticLockError, type Model, type ModelStatic, type Transaction } from 'sequelize';
import { transactionStatement } from '../db/transaction-statement.js';

/**
 * The two statements of every edit, the locked read and the update, built once per model (and
 * per set of changed fields) and sent on the transaction's connection: what findByPk with a lock
 * and save() send, without their per-call query building, which took more of the app's CPU than
 * the rest of the edit. A model with save or update hooks, or a change to a virtual field (a
 * user's new password), is saved by save() as before.
 */
type AnyModel = ModelStatic<Model>;

interface Attribute {
  field?: string;
  type: { key?: string; _stringify?: unknown; _bindParam?: unknown; bindParam?(value: unknown, options: unknown): unknown };
}

interface ModelInternals {
  rawAttributes: Record<string, Attribute>;
  _versionAttribute?: string;
  _timestampAttributes: { updatedAt?: string };
  _virtualAttributes: Set<string>;
  sequelize: { getQueryInterface(): { queryGenerator: { quoteIdentifier(name: string): string; quoteTable(name: string): string } } };
}

function internals(model: AnyModel): ModelInternals {
  return model as unknown as ModelInternals;
}

function quoter(model: AnyModel) {
  return internals(model).sequelize.getQueryInterface().queryGenerator;
}

function columnOf(model: AnyModel, attribute: string): string {
  return quoter(model).quoteIdentifier(internals(model).rawAttributes[attribute]?.field ?? attribute);
}

const lockStatements = new WeakMap<AnyModel, string>();

/**
 * The record as it is now, locked until the transaction ends: what findByPk with a lock gives.
 * No model has find hooks or scopes that this would skip.
 */
export async function findLocked(model: AnyModel, id: number | string, transaction: Transaction): Promise<Model | null> {
  let sql = lockStatements.get(model);
  if (!sql) {
    const { rawAttributes } = internals(model);
    // Virtual attributes (a user's new password) have no column.
    const columns = Object.entries(rawAttributes)
      .filter(([, a]) => a.type.key !== 'VIRTUAL')
      .map(([name, a]) => (a.field && a.field !== name ? `${columnOf(model, name)} AS ${quoter(model).quoteIdentifier(name)}` : columnOf(model, name)));
    sql = `SELECT ${columns.join(', ')} FROM ${quoter(model).quoteTable(model.getTableName() as string)} WHERE ${columnOf(model, model.primaryKeyAttribute)} = $1 FOR UPDATE`;
    lockStatements.set(model, sql);
  }
  const { rows } = await transactionStatement(model.sequelize!, transaction, sql, [id]);
  return rows[0] ? model.build(rows[0], { isNewRecord: false, raw: true }) : null;
}

const SAVE_HOOKS = ['beforeSave', 'afterSave', 'beforeUpdate', 'afterUpdate'] as const;
const asIs = (value: unknown) => value;

/**
 * A value as Sequelize's own conversion sends it (its type's bindParam), except a Date, sent as
 * the same instant in ISO form rather than through moment.js (every DATE column is timestamptz).
 */
function parameter(model: AnyModel, attribute: Attribute, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (!attribute.type._stringify && !attribute.type._bindParam) return value;
  const timezone = (model.sequelize as unknown as { options: { timezone?: string } }).options.timezone;
  return attribute.type.bindParam!(value, { escape: asIs, field: attribute, timezone, bindParam: asIs });
}

/** Whether `fields` can be written by the statement here: stored columns, and no hooks save() would run. */
function writable(model: AnyModel, fields: string[]): boolean {
  const { rawAttributes, _virtualAttributes } = internals(model);
  if (SAVE_HOOKS.some((hook) => model.hasHook(hook))) return false;
  return fields.every((f) => rawAttributes[f] && !_virtualAttributes.has(f));
}

const updateStatements = new WeakMap<AnyModel, Map<string, string>>();

function updateStatement(model: AnyModel, fields: string[], version: string | undefined): string {
  let statements = updateStatements.get(model);
  if (!statements) updateStatements.set(model, (statements = new Map()));
  const key = fields.join(',');
  let sql = statements.get(key);
  if (!sql) {
    const set = fields.map((f, i) => `${columnOf(model, f)}=$${i + 1}`).join(',');
    const where = `${columnOf(model, model.primaryKeyAttribute)} = $${fields.length + 1}${version ? ` AND ${columnOf(model, version)} = $${fields.length + 2}` : ''}`;
    sql = `UPDATE ${quoter(model).quoteTable(model.getTableName() as string)} SET ${set} WHERE ${where}`;
    statements.set(key, sql);
  }
  return sql;
}

/**
 * Saves a read record's changes as `record.save({ ...options, validate: false })` does (the
 * caller has validated): the changed fields, the update time, the version one up and checked in
 * the WHERE (OptimisticLockError when the row holds another), and the record left saved.
 */
export async function saveChanges<M extends Model>(record: M, options: { transaction: Transaction }): Promise<M> {
  const { transaction } = options;
  const model = record.constructor as AnyModel;
  const { rawAttributes, _versionAttribute: version, _timestampAttributes } = internals(model);
  const changed = ((record.changed() || []) as string[]).filter((f) => f in rawAttributes);
  if (changed.length === 0 || !writable(model, changed)) return (await record.save({ ...options, validate: false })) as M;
  const updatedAt = _timestampAttributes.updatedAt;
  const fields = [...changed];
  if (updatedAt && !fields.includes(updatedAt)) fields.push(updatedAt);
  if (version && !fields.includes(version)) fields.push(version);
  const values = record.dataValues as Record<string, unknown>;
  // As save(): the time is the app's, the version the one read plus one, checked against the row.
  if (updatedAt) values[updatedAt] = new Date();
  const readVersion = version ? values[version] : undefined;
  const next: Record<string, unknown> = {};
  for (const f of fields) next[f] = f === version ? parseInt(String(readVersion), 10) + 1 : values[f];
  const parameters = fields.map((f) => parameter(model, rawAttributes[f]!, next[f]));
  parameters.push(values[model.primaryKeyAttribute]);
  if (version) parameters.push(readVersion);
  const sql = updateStatement(model, fields, version);
  const result = await transactionStatement(model.sequelize!, transaction, sql, parameters, record);
  if (version && (result.rowCount ?? 0) < 1) {
    const where = { [model.primaryKeyAttribute]: values[model.primaryKeyAttribute], [version]: readVersion };
    throw new OptimisticLockError({ modelName: model.name, values: next, where } as never);
  }
  Object.assign(values, next);
  const previous = (record as unknown as { _previousDataValues: Record<string, unknown> })._previousDataValues;
  for (const f of fields) {
    previous[f] = values[f];
    record.changed(f as never, false);
  }
  return record;
}
