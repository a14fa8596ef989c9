import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { StepStatus } from './constants.js';
import type { LaborEntry } from './labor-entry.model.js';
import type { ProcessStep } from './process-step.model.js';
import type { TravelerSubStep } from './traveler-sub-step.model.js';
import type { Traveler } from './traveler.model.js';
import type { User } from './user.model.js';
import type { WorkCenter } from './work-center.model.js';
import { referenceColumn, versionColumns } from './columns.js';
import { signOffColumns, stepColumns, stepSignOffRules } from './routing-columns.js';

const TRAVELER_STEP_KEY = { name: 'traveler_steps_traveler_step_key', msg: 'This traveler already has a step with that number' };

/** A traveler's own copy of one routing step, with its sign-off. */
export class TravelerStep extends Model<InferAttributes<TravelerStep>, InferCreationAttributes<TravelerStep>> {
  declare id: CreationOptional<number>;
  declare traveler_id: number;
  declare step_number: number;
  declare process_step_id: number | null;
  declare work_center_id: number;
  declare operation: string;
  declare instructions: string | null;
  declare estimated_hours: CreationOptional<number>;
  declare is_parallel: CreationOptional<boolean>;
  declare status: CreationOptional<StepStatus>;
  declare started_at: Date | null;
  declare completed_at: Date | null;
  declare completed_by_id: number | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare traveler?: NonAttribute<Traveler>;
  declare processStep?: NonAttribute<ProcessStep | null>;
  declare workCenter?: NonAttribute<WorkCenter>;
  declare completedBy?: NonAttribute<User | null>;
  declare subSteps?: NonAttribute<TravelerSubStep[]>;
  declare laborEntries?: NonAttribute<LaborEntry[]>;

  static initModel(sequelize: Sequelize): void {
    // The routing step's columns, copied; the link to the step it was copied from follows the number.
    const { step_number, ...routingStep } = stepColumns(TRAVELER_STEP_KEY);
    TravelerStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        traveler_id: referenceColumn('travelers', { required: 'Traveler', onDelete: 'CASCADE', unique: TRAVELER_STEP_KEY }),
        step_number,
        // Kept as a link only: the traveler keeps its copy when the routing step is deleted.
        process_step_id: referenceColumn('process_steps', { onDelete: 'SET NULL' }),
        ...routingStep,
        ...signOffColumns(),
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'traveler_steps',
        modelName: 'TravelerStep',
        version: true,
        validate: stepSignOffRules(),
      },
    );
  }
}
