import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { Revision } from './revision.model.js';
import type { SubStep } from './sub-step.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { WorkCenter } from './work-center.model.js';
import { referenceColumn, versionColumns } from './columns.js';
import { stepColumns } from './routing-columns.js';

const REVISION_STEP_KEY = { name: 'process_steps_revision_step_key', msg: 'This revision already has a step with that number' };

/** One operation of a revision's routing; travelers copy these when they are created. */
export class ProcessStep extends Model<InferAttributes<ProcessStep>, InferCreationAttributes<ProcessStep>> {
  declare id: CreationOptional<number>;
  declare revision_id: number;
  declare step_number: number;
  declare work_center_id: number;
  declare operation: string;
  declare instructions: string | null;
  declare estimated_hours: CreationOptional<number>;
  declare is_parallel: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare revision?: NonAttribute<Revision>;
  declare workCenter?: NonAttribute<WorkCenter>;
  declare subSteps?: NonAttribute<SubStep[]>;
  declare travelerSteps?: NonAttribute<TravelerStep[]>;

  static initModel(sequelize: Sequelize): void {
    ProcessStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        revision_id: referenceColumn('revisions', { required: 'Revision', onDelete: 'CASCADE', unique: REVISION_STEP_KEY }),
        ...stepColumns(REVISION_STEP_KEY),
        ...versionColumns(),
      },
      { sequelize, tableName: 'process_steps', modelName: 'ProcessStep', version: true },
    );
  }
}
