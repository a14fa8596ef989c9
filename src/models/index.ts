import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { declareAssociations } from './associations.js';
import { Approval } from './approval.model.js';
import { AuditLog } from './audit-log.model.js';
import { Customer } from './customer.model.js';
import { LaborEntry } from './labor-entry.model.js';
import { MailOutbox } from './mail-outbox.model.js';
import { ManualStep } from './manual-step.model.js';
import { Part } from './part.model.js';
import { ProcessStep } from './process-step.model.js';
import { Revision } from './revision.model.js';
import { SubStep } from './sub-step.model.js';
import { TravelerStep } from './traveler-step.model.js';
import { TravelerSubStep } from './traveler-sub-step.model.js';
import { Traveler } from './traveler.model.js';
import { User } from './user.model.js';
import { WorkCenter } from './work-center.model.js';
import { WorkOrder } from './work-order.model.js';

export {
  Approval,
  AuditLog,
  Customer,
  LaborEntry,
  MailOutbox,
  ManualStep,
  Part,
  ProcessStep,
  Revision,
  SubStep,
  Traveler,
  TravelerStep,
  TravelerSubStep,
  User,
  WorkCenter,
  WorkOrder,
};

/** Every model, in an order where each table's references come before it. */
export const ALL_MODELS = [
  User,
  Customer,
  WorkCenter,
  Part,
  Revision,
  ProcessStep,
  SubStep,
  WorkOrder,
  Traveler,
  TravelerStep,
  TravelerSubStep,
  ManualStep,
  LaborEntry,
  Approval,
  AuditLog,
  MailOutbox,
] as const;

export type AnyModelClass = (typeof ALL_MODELS)[number];

/**
 * Models are classes bound to one Sequelize instance; a process has one database, and tests
 * that need another database run in another Jest worker module registry. Called through
 * initSchema (tables/index.ts), which also keeps a second call for the same handle from
 * binding twice.
 */
export function initModels(sequelize: Sequelize): void {
  for (const model of ALL_MODELS) model.initModel(sequelize);
  declareAssociations();
}

/** The model a database handle has for a table, if it has one (audit rows name tables, not models). */
export function modelForTable(sequelize: Sequelize, table: string): ModelStatic<Model> | undefined {
  return Object.values(sequelize.models).find((m) => {
    const name = m.getTableName();
    return (typeof name === 'string' ? name : name.tableName) === table;
  });
}
