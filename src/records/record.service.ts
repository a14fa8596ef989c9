import type { Model, ModelStatic } from 'sequelize';
import { approvalNeeded, submitForApproval } from '../approvals/approval-request.service.js';
import type { Actor } from '../audit/actor.js';
import type { WriteOptions } from '../db/unit-of-work.js';
import { executeWrite } from './write-command.js';
import { CONTROL_CHARACTER, coerceInput } from './input-coercion.js';
import { authorizeCreate, authorizeDelete, authorizeUpdate, authorizeUpdateOf } from './record-authorization.js';
import { holdPrivilegedRole, markOneTimePassword, notifyPasswordSet, refuseOwnDeactivation } from './user-account.rules.js';
import { RecordNotFoundError, RecordValidationError, StaleRecordError } from './record-errors.js';
import { findLocked, saveChanges } from './record-row-statements.js';
import { policyOf } from '../tables/index.js';
import type { NumberPatterns } from '../tables/record-numbers.js';

/**
 * Generic create, update and delete of one record, for the panel's forms and for scripts. Each
 * runs in one transaction that carries the actor; nothing here is written without one. A change
 * that the approval policy holds back is not applied: the request is committed instead and
 * ApprovalRequired is thrown to say so.
 *
 * The transaction is opened on the model's own connection (`model.sequelize`): a Sequelize model
 * reads and writes through the database it was bound to (tables/index.ts initSchema), which in the
 * app is the context's connection, so no second handle could be passed that the model would obey.
 */
type AnyModel = ModelStatic<Model>;

const BOOKKEEPING = new Set(['version', 'updated_at', 'created_at']);

/** The optional "why" a form sends with a change that may need approval (not a column). */
function reasonOf(input: Record<string, unknown>): string | null {
  // A record that carries its own reason (a manual step's) gives it to the approver by default.
  const reason = typeof input.change_reason === 'string' && input.change_reason.trim() ? input.change_reason : input.reason;
  if (typeof reason === 'string' && CONTROL_CHARACTER.test(reason)) {
    throw new RecordValidationError({ change_reason: 'The reason contains an invisible control character; remove it' });
  }
  return typeof reason === 'string' && reason.trim() ? reason.trim().slice(0, 2000) : null;
}

/**
 * Fields that only a workflow moves (a traveler's status, a step's sign-off): a form or API call
 * that tries to set them is refused on the field, with the way to do it instead.
 */
function refuseWorkflowFields(model: AnyModel, fields: string[]): void {
  const owned = policyOf(model).workflowFields;
  if (!owned) return;
  const refused = Object.fromEntries(fields.flatMap((f) => (owned[f] ? [[f, owned[f]]] : [])));
  if (Object.keys(refused).length) throw new RecordValidationError(refused);
}

/** Fields given on create that differ from what a new record holds anyway (null or the default). */
function nonDefaultFields(model: AnyModel, values: Record<string, unknown>): string[] {
  const attributes = model.getAttributes() as Record<string, { defaultValue?: unknown }>;
  return Object.entries(values)
    .filter(([k, v]) => v !== null && v !== undefined && v !== attributes[k]?.defaultValue)
    .map(([k]) => k);
}

/** A table may name the field that records who created the record (a manual step's "added by"). */
function withActorAttribute(model: AnyModel, values: Record<string, unknown>, actor: Actor): Record<string, unknown> {
  const attribute = policyOf(model).actorField;
  if (!attribute || actor.kind !== 'user') return values;
  return { ...values, [attribute]: actor.userId };
}

function tableOf(model: AnyModel): string {
  return model.getTableName() as string;
}

export interface CreateOptions {
  /** The app's number patterns, for a record its table numbers when saved without one (defaults without). */
  numbers?: NumberPatterns;
}

export async function createRecord<M extends AnyModel>(
  model: M,
  input: Record<string, unknown>,
  actor: Actor,
  { numbers }: CreateOptions = {},
): Promise<InstanceType<M>> {
  authorizeCreate(model, actor, input);
  const coerced = coerceInput(model, input, 'create');
  refuseWorkflowFields(model, nonDefaultFields(model, coerced.values));
  const values = withActorAttribute(model, coerced.values, actor);
  const heldRole = holdPrivilegedRole(model, values, actor);
  const oneTimePassword = markOneTimePassword(model, values, actor, null);
  return executeWrite(model.sequelize!, {
    actor,
    table: tableOf(model),
    model,
    numbers,
    run: async (options: WriteOptions) => {
      const record = model.build(values);
      // Sequelize stamps the times on save, after validation. Validated here, inside the
      // transaction (validate hooks may read and number the record), before the approval gate sees the values.
      await record.validate({ skip: ['created_at', 'updated_at'], transaction: options.transaction, numbers: options.numbers } as never);
      // What the record would hold, after setters and defaults, for the fields the form gave.
      const proposed = Object.fromEntries(Object.keys(values).map((k) => [k, record.get(k)]));
      const gate = { model, operation: 'create' as const, before: null, values: proposed, actor, transaction: options.transaction, reason: reasonOf(input) };
      const decision = await approvalNeeded(gate);
      if (decision) return submitForApproval(gate, decision);
      // Validated above, with the same values: a second pass would only cost time.
      const saved = (await record.save({ ...options, validate: false })) as InstanceType<M>;
      if (oneTimePassword) await notifyPasswordSet(options.transaction, saved.get({ plain: true }) as never, actor);
      if (heldRole) {
        // The account exists with the viewer's rights; the privileged role is another administrator's to grant.
        const grant = {
          model,
          operation: 'update' as const,
          before: { ...(saved.get({ plain: true }) as Record<string, unknown>) },
          values: { role: heldRole },
          actor,
          transaction: options.transaction,
          reason: reasonOf(input) ?? `Asked for when the account was created (it was made with the viewer's rights).`,
        };
        const grantDecision = await approvalNeeded(grant);
        if (grantDecision) return submitForApproval(grant, grantDecision);
      }
      return saved;
    },
  });
}

export interface UpdateOptions {
  /**
   * Save over whatever the record holds now, without the version the caller read. Only for code
   * that means it (a script's bulk fix, the benchmark); a form or API call always sends its version.
   */
  lastWriteWins?: boolean;
}

export async function updateRecord<M extends AnyModel>(
  model: M,
  id: number | string,
  input: Record<string, unknown>,
  actor: Actor,
  options: UpdateOptions = {},
): Promise<InstanceType<M>> {
  authorizeUpdateOf(model, actor);
  // The record to change is the one named by the caller (the address), never by a field.
  const key = model.primaryKeyAttribute;
  if (input[key] !== undefined && input[key] !== '' && String(input[key]) !== String(id)) {
    throw new RecordValidationError({ [key]: `This change is for record #${id}; the form names #${String(input[key]).slice(0, 20)}. Nothing was saved.` });
  }
  const lastWriteWins = options.lastWriteWins ?? false;
  return executeWrite(model.sequelize!, {
    actor,
    table: tableOf(model),
    model,
    run: async (options) => {
      const record = await findLocked(model, id, options.transaction);
      if (!record) throw new RecordNotFoundError(tableOf(model), id);
      // Who may set which field first: a value is not even looked at where it may not be given.
      authorizeUpdate(model, actor, input, record.get({ plain: true }) as Record<string, unknown>);
      const { values, expectedVersion } = coerceInput(model, input, 'update');
      refuseOwnDeactivation(model, id, values, actor);
      const oneTimePassword = markOneTimePassword(model, values, actor, Number(id));
      if (expectedVersion === undefined && !lastWriteWins) {
        throw new RecordValidationError({
          version:
            'The change does not say which version of the record it was made on, so it could overwrite someone else’s: reload the record and save again.',
        });
      }
      const current = record.get('version') as number | undefined;
      if (expectedVersion !== undefined && current !== undefined && current !== expectedVersion) {
        throw new StaleRecordError(tableOf(model), id);
      }
      // A copy: Sequelize hands out its live dataValues, which set() is about to change.
      const before = { ...(record.get({ plain: true }) as Record<string, unknown>) };
      record.set(values);
      const changed = ((record.changed() || []) as string[]).filter((k) => !BOOKKEEPING.has(k) && k !== 'password');
      const passwordChange = (record.changed() || []).includes('password' as never);
      if (changed.length === 0 && !passwordChange) return record as InstanceType<M>;
      refuseWorkflowFields(model, changed);
      await record.validate({ skip: ['created_at', 'updated_at'], transaction: options.transaction } as never);
      const gate = {
        model,
        operation: 'update' as const,
        before,
        values: Object.fromEntries(changed.map((k) => [k, record.get(k)])),
        actor,
        transaction: options.transaction,
        reason: reasonOf(input),
      };
      const decision = await approvalNeeded(gate);
      if (decision) return submitForApproval(gate, decision);
      // Validated above: saved as save() would, without validating again.
      const saved = (await saveChanges(record, options)) as InstanceType<M>;
      if (oneTimePassword) await notifyPasswordSet(options.transaction, saved.get({ plain: true }) as never, actor);
      return saved;
    },
  });
}

export async function deleteRecords(model: AnyModel, ids: Array<number | string>, actor: Actor): Promise<number> {
  authorizeDelete(model, actor, []);
  return executeWrite(model.sequelize!, {
    actor,
    table: tableOf(model),
    model,
    run: async (options) => {
      // All or nothing: a bulk delete that hits one record still in use deletes none.
      const records = await model.findAll({
        where: { [model.primaryKeyAttribute]: ids },
        transaction: options.transaction,
        lock: options.transaction.LOCK.UPDATE,
      });
      if (records.length !== new Set(ids.map(String)).size) {
        const found = new Set(records.map((r) => String(r.get(model.primaryKeyAttribute))));
        throw new RecordNotFoundError(
          tableOf(model),
          ids.find((id) => !found.has(String(id))),
        );
      }
      authorizeDelete(
        model,
        actor,
        records.map((r) => r.get({ plain: true }) as Record<string, unknown>),
      );
      for (const record of records) {
        const gate = {
          model,
          operation: 'delete' as const,
          before: record.get({ plain: true }) as Record<string, unknown>,
          values: {},
          actor,
          transaction: options.transaction,
        };
        const decision = await approvalNeeded(gate);
        if (!decision) continue;
        if (records.length > 1) {
          throw new RecordValidationError({
            base: `${decision.rule.description} needs approval: delete record #${String(record.get(model.primaryKeyAttribute))} on its own to ask for it.`,
          });
        }
        return submitForApproval(gate, decision);
      }
      for (const record of records) await record.destroy(options);
      return records.length;
    },
  });
}

export async function deleteRecord(model: AnyModel, id: number | string, actor: Actor): Promise<void> {
  await deleteRecords(model, [id], actor);
}
