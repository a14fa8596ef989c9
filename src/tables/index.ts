import type { Model, ModelStatic, Sequelize } from 'sequelize';
import { initModels } from '../models/index.js';
import { approvalTable } from './approval.table.js';
import { laborEntryTable } from './labor-entry.table.js';
import { manualStepTable } from './manual-step.table.js';
import { revisionTable } from './revision.table.js';
import { subStepTable } from './sub-step.table.js';
import { travelerStepTable } from './traveler-step.table.js';
import { travelerSubStepTable } from './traveler-sub-step.table.js';
import { travelerTable } from './traveler.table.js';
import { workOrderTable } from './work-order.table.js';
import type { TablePolicy } from './table-policy.js';

/** Every table with behaviour beyond its schema; the others are plain reference data. */
const POLICIES = [
  approvalTable,
  laborEntryTable,
  manualStepTable,
  revisionTable,
  subStepTable,
  travelerStepTable,
  travelerSubStepTable,
  travelerTable,
  workOrderTable,
] as const;

// Each policy is typed against its own model; the write path reads them through the common shape.
const byModel = new Map<ModelStatic<Model>, TablePolicy>(POLICIES.map((policy) => [policy.model as ModelStatic<Model>, policy as unknown as TablePolicy]));

/** The policy of a model's table (an empty one for plain reference data). */
export function policyOf(model: ModelStatic<Model>): TablePolicy {
  return byModel.get(model) ?? { model };
}

let schemaOf: Sequelize | undefined;

/**
 * Binds the models to a database and installs the tables' policies: what every process does once
 * when it opens its database. (Model.init drops hooks added before it, so the policies' hooks go
 * on after each binding.)
 */
export function initSchema(sequelize: Sequelize): void {
  if (schemaOf === sequelize) return;
  initModels(sequelize);
  for (const policy of byModel.values()) {
    for (const [name, hook] of Object.entries(policy.hooks ?? {})) {
      policy.model.addHook(name as 'beforeSave', `table-policy:${name}`, hook);
    }
  }
  schemaOf = sequelize;
}
