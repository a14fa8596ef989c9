import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { StepStatus } from './constants.js';
import type { LaborEntry } from './labor-entry.model.js';
import type { Traveler } from './traveler.model.js';
import type { User } from './user.model.js';
import type { WorkCenter } from './work-center.model.js';
import { freeTextColumn, referenceColumn, versionColumns } from './columns.js';
import { estimatedHoursColumn, operationColumn, signOffColumns, stepSignOffRules } from './routing-columns.js';
import { minTrimmedLength, trimmed, wholeNumber } from './validation.js';

/** A step added to one traveler on the shop floor (rework, extra inspection), with the reason why. */
export class ManualStep extends Model<InferAttributes<ManualStep>, InferCreationAttributes<ManualStep>> {
  declare id: CreationOptional<number>;
  declare traveler_id: number;
  /** The traveler step number it follows; 0 means before the first step. */
  declare after_step_number: number;
  declare work_center_id: number | null;
  declare operation: string;
  declare instructions: string | null;
  declare reason: string;
  declare estimated_hours: CreationOptional<number>;
  declare status: CreationOptional<StepStatus>;
  declare added_by_id: number;
  declare started_at: Date | null;
  declare completed_at: Date | null;
  declare completed_by_id: number | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare traveler?: NonAttribute<Traveler>;
  declare workCenter?: NonAttribute<WorkCenter | null>;
  declare addedBy?: NonAttribute<User>;
  declare completedBy?: NonAttribute<User | null>;
  declare laborEntries?: NonAttribute<LaborEntry[]>;

  static initModel(sequelize: Sequelize): void {
    // A copied step's status and sign-off; who added the step sits between them, as in the table.
    const { status, ...signOff } = signOffColumns();
    ManualStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        traveler_id: referenceColumn('travelers', { required: 'Traveler', onDelete: 'CASCADE' }),
        after_step_number: {
          type: DataTypes.INTEGER,
          allowNull: false,
          validate: { notNull: { msg: 'After step number is required' }, isStepNumber: wholeNumber('After step number', 0) },
        },
        work_center_id: referenceColumn('work_centers'),
        operation: operationColumn(),
        instructions: freeTextColumn('instructions'),
        reason: {
          type: DataTypes.TEXT,
          allowNull: false,
          set: trimmed('reason'),
          validate: { notNull: { msg: 'Reason is required' }, minLength: minTrimmedLength('Reason', 3) },
        },
        estimated_hours: estimatedHoursColumn(),
        status,
        added_by_id: referenceColumn('users', { required: 'Added by' }),
        ...signOff,
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'manual_steps',
        modelName: 'ManualStep',
        version: true,
        validate: stepSignOffRules(),
      },
    );
  }
}
