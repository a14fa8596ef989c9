import { BaseRecord, ForbiddenError, ValidationError, flat, type ActionContext, type Filter, type ParamsType } from 'adminjs';
import { Resource as SequelizeResource, convertFilter } from '@adminjs/sequelize';
import { Op, Sequelize, type Model, type ModelStatic, type OrderItem, type WhereOptions } from 'sequelize';
import { MissingActorError } from '../audit/actor.js';
import { AccessDeniedError } from '../auth/access-rules.js';
import { RecordInUseError, RecordNotFoundError, RecordValidationError, StaleRecordError, WorkflowRefusedError } from '../records/record-errors.js';
import { createRecord, deleteRecord, updateRecord } from '../records/record.service.js';
import { ApprovalRequired } from '../approvals/approval-request.service.js';
import { listCount } from './list-count.js';
import { tileFilterSql, tileFiltersOf } from '../dashboard/tile-filters.js';
import { CHOOSABLE_FILTER, TITLE_PROPERTY, choosableWhere, titleAttributes, titleLiteral, titleSearch } from '../records/record-title-sql.js';
import { actorOf, addressedRecordOf, formInputOf, noteEstimatedCount, noteSubmittedForApproval } from './panel-request-state.js';
import type { AppContext } from '../app-context.js';

/**
 * The Sequelize adapter, with every write routed through the record service: one transaction,
 * the acting user attached, optimistic locking on the version the form was loaded with, and
 * refusals turned into messages on the form's fields. The stock adapter calls the model's
 * create, update and destroy directly: no transaction, so no acting user (nexus.actor), which the
 * audit triggers refuse, and no version check, so a stale form would overwrite a newer change.
 * Built by the panel (admin.ts) with the app's context: its connection and its number patterns.
 */
export class NexusResource extends SequelizeResource {
  // Not named `sequelize`: AdminJS would take an object with one for a model, and wrap it again.
  constructor(
    model: ModelStatic<Model>,
    protected readonly app: AppContext,
  ) {
    super(model as never);
  }

  private get model(): ModelStatic<Model> {
    return (this as unknown as { SequelizeModel: ModelStatic<Model> }).SequelizeModel;
  }

  private actor(context: ActionContext | undefined, what: string) {
    const actor = actorOf(context);
    if (!actor) throw new MissingActorError(what);
    return actor;
  }

  /**
   * A refused form is shown again with what was typed, and AdminJS then looks up the typed
   * references ("ACME" in a customer field): ids that cannot be keys are no match, not an error.
   */
  override async findMany(ids: Array<string | number>): Promise<BaseRecord[]> {
    const usable = ids.filter((id) => this.isKey(id));
    if (usable.length === 0) return [];
    const rows = await this.model.findAll({ where: { [this.model.primaryKeyAttribute]: { [Op.in]: usable } }, attributes: titleAttributes(this.model) });
    return rows.map((row) => new BaseRecord(row.toJSON(), this));
  }

  /** With its title (panel-titles.ts), for the page's header and the picker that shows it chosen. */
  override async findOne(id: string | number): Promise<BaseRecord | null> {
    if (!this.isKey(id)) return null;
    const row = await this.model.findByPk(id, { attributes: titleAttributes(this.model) });
    return row ? new BaseRecord(row.toJSON(), this) : null;
  }

  /** A form posts back every value it was shown, the computed title too: it is not a column. */
  private withoutTitle(input: Record<string, unknown>): Record<string, unknown> {
    if (!(TITLE_PROPERTY in input) || TITLE_PROPERTY in this.model.getAttributes()) return input;
    const { [TITLE_PROPERTY]: _shown, ...rest } = input;
    return rest;
  }

  /** The saved row with its title as saved (AdminJS merges what the form posted into the record it answers with). */
  private async withTitle(record: Model): Promise<ParamsType> {
    const title = titleLiteral(this.model);
    // toJSON, not get(): a model's toJSON leaves out what must never leave the server (a user's password hash).
    const plain: ParamsType = record.toJSON();
    if (!title) return plain;
    const id = record.get(this.model.primaryKeyAttribute) as string | number;
    const titled = await this.model.findByPk(id, { attributes: [[title, TITLE_PROPERTY]] });
    return { ...plain, [TITLE_PROPERTY]: titled?.get(TITLE_PROPERTY) ?? null };
  }

  private isKey(id: string | number): boolean {
    const keyType = (this.model.getAttributes()[this.model.primaryKeyAttribute]?.type as { key?: string } | undefined)?.key;
    if (keyType !== 'INTEGER' && keyType !== 'BIGINT') return true;
    return /^\d{1,18}$/.test(String(id)) && (keyType !== 'INTEGER' || Number(id) <= 2_147_483_647);
  }

  /** Exact for small lists; estimated (and said so in the panel) for large ones: see list-count.ts. */
  override async count(filter: Filter, context?: ActionContext): Promise<number> {
    const count = await listCount(this.app.db, this.model, listWhere(this.model, filter), Object.keys(filter.filters ?? {}).length > 0);
    if (count.estimated) noteEstimatedCount(context, count);
    return count.total;
  }

  override async find(filter: Filter, { limit = 20, offset = 0, sort = {} }: { limit?: number; offset?: number; sort?: ListSort }): Promise<BaseRecord[]> {
    const order = listOrder(this.model, sort);
    const rows = await this.model.findAll({ where: listWhere(this.model, filter), limit, offset, order, attributes: titleAttributes(this.model) });
    return rows.map((row) => new BaseRecord(row.toJSON(), this));
  }

  override async create(params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const actor = this.actor(context, `create ${this.id()}`);
    const input = this.withoutTitle(formInputOf(context) ?? params);
    const record = await asPanelError(() => createRecord(this.model, flat.unflatten(input), actor, { numbers: this.app.numbers }), context);
    return this.withTitle(record);
  }

  override async update(id: string, params: Record<string, unknown>, context?: ActionContext): Promise<ParamsType> {
    const actor = this.actor(context, `update ${this.id()}`);
    const input = this.withoutTitle(formInputOf(context) ?? params);
    // The address names the record (see request-actor.ts); `id` may be the form's by now.
    const addressed = addressedRecordOf(context);
    if (context && addressed === undefined) throw new Error(`update of ${this.id()} without the record's address: the edit action must capture its form input`);
    const record = await asPanelError(() => updateRecord(this.model, addressed ?? id, flat.unflatten(input), actor), context);
    return this.withTitle(record);
  }

  override async delete(id: string, context?: ActionContext): Promise<void> {
    const actor = this.actor(context, `delete from ${this.id()}`);
    await asPanelError(() => deleteRecord(this.model, id, actor), context);
  }
}

export interface ListSort {
  sortBy?: string;
  direction?: 'asc' | 'desc';
}

/** The key breaks ties, so that rows with the same sort value never repeat or vanish across pages (or exports). */
export function listOrder(model: ModelStatic<Model>, sort: ListSort): OrderItem[] {
  const direction = (sort.direction ?? 'asc').toUpperCase();
  const key = model.primaryKeyAttribute;
  const byTitle = sort.sortBy === TITLE_PROPERTY ? titleLiteral(model) : undefined;
  const order: OrderItem[] = byTitle ? [[byTitle, direction]] : sort.sortBy ? [[sort.sortBy, direction]] : [];
  if (sort.sortBy !== key) order.push([key, direction]);
  return order;
}

/**
 * The stock adapter's filter, except on fields with a fixed set of values (a status, a role):
 * it matches those with LIKE '%value%' ('in_progress' also matched 'in-progress' and anything
 * containing it, `_` being a wildcard), which no index serves: a status filter read every
 * traveler. Such a field now matches its value exactly, served by the status indexes.
 */
export function listWhere(model: ModelStatic<Model>, filter: Filter): WhereOptions {
  const { [TITLE_PROPERTY]: title, [CHOOSABLE_FILTER]: choosable, ...rest } = filter.filters ?? {};
  // A dashboard tile's filter (`filters.late=true`): the tile's own SQL (dashboard/tile-filters.ts).
  const table = model.getTableName() as string;
  const named = Object.keys(rest).filter((name) => Object.hasOwn(tileFiltersOf(table), name));
  const columns = Object.fromEntries(Object.entries(rest).filter(([name]) => !named.includes(name)));
  // The title and "choosable" are not columns: they become SQL of their own (panel-titles.ts).
  const columnFilter = Object.assign(Object.create(Object.getPrototypeOf(filter) as object) as Filter, filter, { filters: columns });
  const where = convertFilter(columnFilter) as Record<string | symbol, unknown>;
  const conditions = (where[Op.and] as Array<Record<string, unknown>> | undefined) ?? [];
  const attributes = model.getAttributes() as Record<string, { validate?: { isIn?: unknown } }>;
  const raw = Object.fromEntries(Object.values(columns).map((f) => [f.path, f.value]));
  const extra = [
    typeof title?.value === 'string' ? titleSearch(model, title.value) : undefined,
    choosable?.value === 'true' ? choosableWhere(model) : undefined,
    ...named.filter((name) => rest[name]?.value === 'true').map((name) => Sequelize.literal(tileFilterSql(table, name, `"${model.name.replace(/"/g, '""')}"`))),
  ].filter((w): w is WhereOptions => w !== undefined);
  if (conditions.length === 0 && extra.length === 0) return where;
  where[Op.and] = [
    ...conditions.map((condition) => {
      const [field] = Object.keys(condition);
      if (field === undefined || !attributes[field]?.validate?.isIn || typeof raw[field] !== 'string') return condition;
      return { [field]: raw[field] };
    }),
    ...extra,
  ];
  return where;
}

/**
 * AdminJS's new and edit actions report success unless a *property* has an error, even when
 * the save was refused; a record-level reason is therefore also filed under `base`.
 */
function panelValidationError(fields: Record<string, string>, summary: string, type: string): ValidationError {
  const propertyErrors = Object.fromEntries(Object.entries(fields).map(([path, message]) => [path, { message }]));
  if (Object.keys(propertyErrors).length === 0) propertyErrors.base = { message: summary };
  return new ValidationError(propertyErrors, { message: summary, type });
}

/** AdminJS shows a ValidationError's field messages on the form and its base message as a notice. */
export async function asPanelError<T>(work: () => Promise<T>, context?: ActionContext): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ApprovalRequired) noteSubmittedForApproval(context, error.approval.id, error.message);
    throw toPanelError(error);
  }
}

export function toPanelError(error: unknown): unknown {
  // The service's own check of the role matrix: AdminJS answers it as its own refusals (403).
  if (error instanceof AccessDeniedError) return new ForbiddenError(error.message);
  if (error instanceof RecordValidationError) {
    const { base, ...fields } = error.fields;
    const summary = base ?? Object.values(fields).join('; ');
    return panelValidationError(fields, summary, 'validation');
  }
  if (
    error instanceof StaleRecordError ||
    error instanceof RecordInUseError ||
    error instanceof RecordNotFoundError ||
    error instanceof ApprovalRequired ||
    error instanceof WorkflowRefusedError
  ) {
    return panelValidationError({}, error.message, error.name);
  }
  return error;
}
