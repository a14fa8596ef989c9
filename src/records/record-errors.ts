import { AccessDeniedError } from '../auth/access-rules.js';
import {
  BaseError,
  DatabaseError,
  type Model,
  type ModelStatic,
  ForeignKeyConstraintError,
  OptimisticLockError,
  UniqueConstraintError,
  ValidationError,
} from 'sequelize';
import { policyOf } from '../tables/index.js';

/** Turns column names into the words people see on the form: customer_id -> Customer. */
export function humanize(field: string): string {
  const words = field.replace(/_id$/, '').replace(/_/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Bad input, with a reason per field (and an overall one) a person can act on. Nothing was written. */
export class RecordValidationError extends Error {
  constructor(
    readonly fields: Record<string, string>,
    message = Object.values(fields)[0] ?? 'The record is not valid',
  ) {
    super(message);
    this.name = 'RecordValidationError';
  }
}

export class RecordNotFoundError extends Error {
  constructor(table: string, id: unknown) {
    super(`No ${humanize(table).toLowerCase()} record with id ${String(id)} exists (it may have been deleted)`);
    this.name = 'RecordNotFoundError';
  }
}

/** Someone else saved the record after it was read: saving now would silently undo their change. */
export class StaleRecordError extends Error {
  constructor(table: string, id: unknown) {
    super(`This ${humanize(table).toLowerCase()} (id ${String(id)}) was changed by someone else since you opened it. Reload it and make your change again.`);
    this.name = 'StaleRecordError';
  }
}

/**
 * A workflow rule refused the change: a traveler state that does not allow it, a step out of
 * order, a check not done. Nothing was written; the message says what would be allowed.
 */
export class WorkflowRefusedError extends Error {
  readonly status = 409;
  constructor(
    message: string,
    readonly code = 'workflow',
  ) {
    super(message);
    this.name = 'WorkflowRefusedError';
  }
}

/** Deletion refused because other records still point at this one. */
export class RecordInUseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecordInUseError';
  }
}

/**
 * Messages for rules that only the database can check (they span rows or tables), keyed by
 * constraint name. Single-row rules are caught earlier by model validation with the same words.
 */
const CONSTRAINT_MESSAGES: Record<string, { field?: string; message: string }> = {
  revisions_one_released_per_part: { field: 'status', message: 'This part already has a released revision; make that one obsolete first' },
  revisions_part_revision_key: { field: 'revision_code', message: 'This part already has a revision with this code' },
  process_steps_revision_step_key: { field: 'step_number', message: 'This revision already has a step with this number' },
  sub_steps_step_sequence_key: { field: 'sequence', message: 'This step already has a sub-step with this sequence number' },
  traveler_steps_traveler_step_key: { field: 'step_number', message: 'This traveler already has a step with this number' },
  traveler_sub_steps_step_sequence_key: { field: 'sequence', message: 'This step already has a sub-step with this sequence number' },
  labor_entries_one_open_per_user: { field: 'ended_at', message: 'This operator is already clocked in on another step; clock out there first' },
  work_orders_revision_of_part_fkey: { field: 'revision_id', message: 'The revision must belong to the selected part' },
  travelers_revision_of_part_fkey: { field: 'revision_id', message: 'The revision must belong to the selected part' },
  travelers_work_order_fkey: { field: 'work_order_id', message: 'The traveler must be for the same part as its work order' },
  labor_entries_step_of_traveler_fkey: { field: 'traveler_step_id', message: 'The step must belong to the selected traveler' },
  labor_entries_manual_step_of_traveler_fkey: { field: 'manual_step_id', message: 'The manual step must belong to the selected traveler' },
  approvals_four_eyes: { field: 'decided_by_id', message: 'Nobody may decide their own request' },
};

interface PgErrorFields {
  code?: string;
  constraint?: string;
  detail?: string;
  column?: string;
  table?: string;
  message?: string;
}

function pgError(error: BaseError): PgErrorFields {
  const parent = (error as unknown as { parent?: PgErrorFields }).parent;
  return parent ?? {};
}

/**
 * Maps what Sequelize or PostgreSQL refused into errors that name the field and the reason.
 * Anything not recognised is rethrown unchanged: a server error is better than a wrong message.
 */
/**
 * Model-level rules (spanning fields) report under their rule's name; the table's policy says on
 * which field each rule's message belongs.
 */
function fieldOf(model: ModelStatic<Model> | undefined, path: string | null | undefined): string {
  if (!path) return 'base';
  if (!model || path in model.getAttributes()) return path;
  return policyOf(model).ruleFields?.[path] ?? 'base';
}

export function translateWriteError(error: unknown, table: string, model?: ModelStatic<Model>): Error {
  if (
    error instanceof RecordValidationError ||
    error instanceof RecordInUseError ||
    error instanceof StaleRecordError ||
    error instanceof WorkflowRefusedError ||
    error instanceof AccessDeniedError
  )
    return error;
  // The policy wants approval that this actor cannot ask for (a script): a refusal with a reason.
  if (error instanceof Error && error.name === 'ApprovalNotPossible') return new RecordValidationError({ base: error.message });
  if (error instanceof OptimisticLockError) return new StaleRecordError(table, (error as unknown as { where?: { id?: unknown } }).where?.id);
  // A unique key, a foreign key or a CHECK of CONSTRAINT_MESSAGES: its message, on its field.
  if (error instanceof UniqueConstraintError || error instanceof DatabaseError) {
    const constraint = pgError(error).constraint;
    const known = constraint ? CONSTRAINT_MESSAGES[constraint] : undefined;
    if (known) return new RecordValidationError({ [known.field ?? 'base']: known.message });
  }
  if (error instanceof UniqueConstraintError) {
    const fields: Record<string, string> = {};
    for (const item of error.errors) {
      if (item.path) fields[item.path] = `${humanize(item.path)} "${String(item.value)}" is already in use`;
    }
    return new RecordValidationError(Object.keys(fields).length ? fields : { base: 'A record with these values already exists' });
  }
  if (error instanceof ValidationError) {
    const fields: Record<string, string> = {};
    for (const item of error.errors) {
      const key = fieldOf(model, item.path);
      fields[key] ??= item.message;
    }
    return new RecordValidationError(fields);
  }
  if (error instanceof ForeignKeyConstraintError) {
    const pg = pgError(error);
    const stillReferenced = pg.detail?.match(/is still referenced from table "([^"]+)"/);
    if (stillReferenced?.[1]) {
      return new RecordInUseError(
        `This ${humanize(table).toLowerCase()} record is still used by ${humanize(stillReferenced[1]).toLowerCase()}, so it cannot be deleted. ` +
          'Deactivate it or make it obsolete instead.',
      );
    }
    const missing = pg.detail?.match(/^Key \(([^)]+)\)=\(([^)]*)\) is not present in table "([^"]+)"/);
    if (missing?.[1]) {
      const field = missing[1].split(',')[0]!.trim();
      return new RecordValidationError({ [field]: `No ${humanize(missing[3] ?? field).toLowerCase()} record with id ${missing[2]} exists` });
    }
    return new RecordValidationError({ base: 'A referenced record does not exist' });
  }
  if (error instanceof DatabaseError) {
    const pg = pgError(error);
    // The lifecycle triggers' refusals (migrations/*-traveler-lifecycle.up.sql) are written for people.
    if (pg.code?.startsWith('NXT')) return new WorkflowRefusedError(pg.message ?? 'The database refused the change', pg.code);
    switch (pg.code) {
      case '23514':
        return new RecordValidationError({ base: `The database refused the change (rule ${pg.constraint ?? 'unknown'})` });
      case '23502':
        return new RecordValidationError({ [pg.column ?? 'base']: `${humanize(pg.column ?? 'value')} is required` });
      case '22001':
        return new RecordValidationError({ base: 'A value is longer than its field allows' });
      case '22P02':
      case '22007':
      case '22008':
      case '22003':
        return new RecordValidationError({ base: `A value has the wrong form: ${pg.message ?? 'invalid input'}` });
      default:
        break;
    }
  }
  return error instanceof Error ? error : new Error(String(error));
}
