import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { MAX_ESTIMATED_HOURS } from './constants.js';
import type { Revision } from './revision.model.js';
import type { SubStep } from './sub-step.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { WorkCenter } from './work-center.model.js';
import { decimalGetter, decimalNumber, notBlank, optionalText, trimmed, wholeNumber } from './validation.js';

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
        revision_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: REVISION_STEP_KEY,
          references: { model: 'revisions', key: 'id' },
          onDelete: 'CASCADE',
          validate: { notNull: { msg: 'Revision is required' } },
        },
        step_number: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: REVISION_STEP_KEY,
          validate: { notNull: { msg: 'Step number is required' }, isStepNumber: wholeNumber('Step number', 1) },
        },
        work_center_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'work_centers', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Work center is required' } },
        },
        operation: {
          type: DataTypes.STRING(200),
          allowNull: false,
          set: trimmed('operation'),
          validate: {
            notNull: { msg: 'Operation is required' },
            notBlank: notBlank('Operation'),
            len: { args: [0, 200], msg: 'Operation must be at most 200 characters' },
          },
        },
        instructions: { type: DataTypes.TEXT, allowNull: true, set: optionalText('instructions') },
        estimated_hours: {
          type: DataTypes.DECIMAL(8, 2),
          allowNull: false,
          get: decimalGetter('estimated_hours'),
          defaultValue: 0,
          validate: {
            notNull: { msg: 'Estimated hours is required' },
            inRange: decimalNumber('Estimated hours', 8, 2, { min: 0, max: MAX_ESTIMATED_HOURS }),
          },
        },
        is_parallel: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'process_steps', modelName: 'ProcessStep', version: true },
    );
  }
}
