import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { MAX_ESTIMATED_HOURS, STEP_STATUSES, type StepStatus } from './constants.js';
import type { LaborEntry } from './labor-entry.model.js';
import type { ProcessStep } from './process-step.model.js';
import type { TravelerSubStep } from './traveler-sub-step.model.js';
import type { Traveler } from './traveler.model.js';
import type { User } from './user.model.js';
import type { WorkCenter } from './work-center.model.js';
import { decimalGetter, decimalNumber, isTimestamp, notBlank, oneOf, optionalText, trimmed, wholeNumber, stepSignOffRules } from './validation.js';

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
    TravelerStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        traveler_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: TRAVELER_STEP_KEY,
          references: { model: 'travelers', key: 'id' },
          onDelete: 'CASCADE',
          validate: { notNull: { msg: 'Traveler is required' } },
        },
        step_number: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: TRAVELER_STEP_KEY,
          validate: { notNull: { msg: 'Step number is required' }, isStepNumber: wholeNumber('Step number', 1) },
        },
        // Kept as a link only: the traveler keeps its copy when the routing step is deleted.
        process_step_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'process_steps', key: 'id' },
          onDelete: 'SET NULL',
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
        status: {
          type: DataTypes.STRING(12),
          allowNull: false,
          defaultValue: 'pending',
          validate: { notNull: { msg: 'Status is required' }, isIn: oneOf('Status', STEP_STATUSES) },
        },
        started_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Started at') } },
        completed_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Completed at') } },
        completed_by_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'RESTRICT',
        },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
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
