import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { ApprovalRequired } from '../approvals/approval-request.service.js';
import type { Actor } from '../audit/actor.js';
import { inTransaction, type WriteOptions } from '../db/unit-of-work.js';
import type { NumberPatterns } from '../tables/record-numbers.js';
import { translateWriteError } from './record-errors.js';

/**
 * The one way an audited change is carried out, whichever service makes it (records, labor,
 * traveler lifecycle, step work, traveler creation, approval decisions):
 *
 * 1. permission: the command's own rule, asked before anything is read (AccessDeniedError);
 * 2. one transaction that carries the actor, so every audit row says who, from where, and why;
 * 3. the work, which reads what it changes under lock, checks versions and asks the approval
 *    policy; it may answer with an ApprovalRequired instead of a result;
 * 4. errors translated into refusals a person can act on (the command's own first, then the
 *    generic translation of database errors);
 * 5. after commit, and only then, "submitted for approval": the request exists, the change does not.
 */
export interface WriteCommand<T> {
  actor: Actor;
  /** The table the change is about, for the words of a refusal; its model when there is one. */
  table: string;
  model?: ModelStatic<Model>;
  /** Throws when the actor may not make this change at all (may check a signature: async). */
  permit?: () => void | Promise<void>;
  run: (options: WriteOptions) => Promise<T | ApprovalRequired>;
  /** A refusal this command words better than the generic translation, or undefined. */
  translate?: (error: unknown) => Promise<Error | undefined> | Error | undefined;
  /** The app's number patterns, handed to `run` in its options (WriteOptions.numbers). */
  numbers?: NumberPatterns;
}

export async function executeWrite<T>(sequelize: Sequelize, command: WriteCommand<T>): Promise<T> {
  await command.permit?.();
  let outcome: T | ApprovalRequired;
  try {
    outcome = await inTransaction(sequelize, command.actor, (options) => command.run(command.numbers ? { ...options, numbers: command.numbers } : options));
  } catch (error) {
    throw (await command.translate?.(error)) ?? translateWriteError(error, command.table, command.model);
  }
  // Thrown only after commit: the request must survive, the change must not happen.
  if (outcome instanceof ApprovalRequired) throw outcome;
  return outcome;
}
