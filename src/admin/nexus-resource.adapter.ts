import { ValidationError, flat, type ActionContext, type ParamsType } from 'adminjs';
import { Resource as SequelizeResource } from '@adminjs/sequelize';
import type { Model, ModelStatic } from 'sequelize';
import { MissingActorError } from '../audit/actor.js';
import { RecordInUseError, RecordNotFoundError, RecordValidationError, StaleRecordError } from '../records/record-errors.js';
import { createRecord, deleteRecord, updateRecord } from '../records/record.service.js';
import { actorOf } from './request-actor.js';

/**
 * The Sequelize adapter, with every write routed through the record service: one transaction,
 * the acting user attached, optimistic locking on the version the form was loaded with, and
 * refusals turned into messages on the form's fields. The stock adapter writes with no
 * transaction and no actor (see shared/STACK-NOTES.md).
 */
export class NexusResource extends SequelizeResource {
  private get model(): ModelStatic<Model> {
    return (this as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
  }

  private actor(context: ActionContext | undefined, what: string) {
    const actor = actorOf(context);
    if (!actor) throw new MissingActorError(what);
    return actor;
  }

  override async create(params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const actor = this.actor(context, `create ${this.id()}`);
    const record = await asPanelError(() => createRecord(this.model, flat.unflatten(params), actor));
    return record.toJSON();
  }

  override async update(id: string, params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const actor = this.actor(context, `update ${this.id()}`);
    const record = await asPanelError(() => updateRecord(this.model, id, flat.unflatten(params), actor));
    return record.toJSON();
  }

  override async delete(id: string, context?: ActionContext): Promise<void> {
    const actor = this.actor(context, `delete from ${this.id()}`);
    await asPanelError(() => deleteRecord(this.model, id, actor));
  }
}

/** AdminJS shows a ValidationError's field messages on the form and its base message as a notice. */
export async function asPanelError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toPanelError(error);
  }
}

export function toPanelError(error: unknown): unknown {
  if (error instanceof RecordValidationError) {
    const { base, ...fields } = error.fields;
    const propertyErrors = Object.fromEntries(Object.entries(fields).map(([path, message]) => [path, { message }]));
    const summary = base ?? Object.values(fields).join('; ');
    return new ValidationError(propertyErrors, { message: summary, type: 'validation' });
  }
  if (error instanceof StaleRecordError || error instanceof RecordInUseError || error instanceof RecordNotFoundError) {
    return new ValidationError({}, { message: error.message, type: error.name });
  }
  return error;
}
