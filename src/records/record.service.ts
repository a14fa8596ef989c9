import type { Model, ModelStatic } from 'sequelize';
import type { Actor } from '../audit/actor.js';
import { inTransaction, type WriteOptions } from '../db/unit-of-work.js';
import { coerceInput } from './input-coercion.js';
import { RecordNotFoundError, StaleRecordError, translateWriteError } from './record-errors.js';

/**
 * Generic create, update and delete of one record, for the panel's forms and for scripts. Each
 * runs in one transaction that carries the actor; nothing here is written without one.
 */
type AnyModel = ModelStatic<Model>;

function tableOf(model: AnyModel): string {
  return model.getTableName() as string;
}

async function guarded<T>(model: AnyModel, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateWriteError(error, tableOf(model), model);
  }
}

export async function createRecord<M extends AnyModel>(model: M, input: Record<string, unknown>, actor: Actor): Promise<InstanceType<M>> {
  const { values } = coerceInput(model, input, 'create');
  return guarded(model, () =>
    inTransaction(model.sequelize!, actor, async (options: WriteOptions) => (await model.create(values, options)) as InstanceType<M>),
  );
}

export async function updateRecord<M extends AnyModel>(
  model: M,
  id: number | string,
  input: Record<string, unknown>,
  actor: Actor,
): Promise<InstanceType<M>> {
  const { values, expectedVersion } = coerceInput(model, input, 'update');
  return guarded(model, () =>
    inTransaction(model.sequelize!, actor, async (options) => {
      const record = await model.findByPk(id, { transaction: options.transaction, lock: options.transaction.LOCK.UPDATE });
      if (!record) throw new RecordNotFoundError(tableOf(model), id);
      const current = record.get('version') as number | undefined;
      if (expectedVersion !== undefined && current !== undefined && current !== expectedVersion) {
        throw new StaleRecordError(tableOf(model), id);
      }
      record.set(values);
      if (record.changed() === false) return record as InstanceType<M>;
      return (await record.save(options)) as InstanceType<M>;
    }),
  );
}

export async function deleteRecords(model: AnyModel, ids: Array<number | string>, actor: Actor): Promise<number> {
  return guarded(model, () =>
    inTransaction(model.sequelize!, actor, async (options) => {
      // All or nothing: a bulk delete that hits one record still in use deletes none.
      const records = await model.findAll({
        where: { [model.primaryKeyAttribute]: ids },
        transaction: options.transaction,
        lock: options.transaction.LOCK.UPDATE,
      });
      if (records.length !== new Set(ids.map(String)).size) {
        const found = new Set(records.map((r) => String(r.get(model.primaryKeyAttribute))));
        throw new RecordNotFoundError(tableOf(model), ids.find((id) => !found.has(String(id))));
      }
      for (const record of records) await record.destroy(options);
      return records.length;
    }),
  );
}

export async function deleteRecord(model: AnyModel, id: number | string, actor: Actor): Promise<void> {
  await deleteRecords(model, [id], actor);
}
