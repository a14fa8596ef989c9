import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { MAX_ESTIMATED_HOURS, STEP_STATUSES, type StepStatus } from './constants.js';
import type { LaborEntry } from './labor-entry.model.js';
import type { Traveler } from './traveler.model.js';
import type { User } from './user.model.js';
import type { WorkCenter } from './work-center.model.js';
import {
  decimalGetter,
  decimalNumber,
  isTimestamp,
  minTrimmedLength,
  notBlank,
  oneOf,
  optionalText,
  trimmed,
  wholeNumber,
  stepSignOffRules,
} from './validation.js';

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
    ManualStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        traveler_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'travelers', key: 'id' },
          onDelete: 'CASCADE',
          validate: { notNull: { msg: 'Traveler is required' } },
        },
        after_step_number: {
          type: DataTypes.INTEGER,
          allowNull: false,
          validate: { notNull: { msg: 'After step number is required' }, isStepNumber: wholeNumber('After step number', 0) },
        },
        work_center_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'work_centers', key: 'id' },
          onDelete: 'RESTRICT',
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
        reason: {
          type: DataTypes.TEXT,
          allowNull: false,
          set: trimmed('reason'),
          validate: { notNull: { msg: 'Reason is required' }, minLength: minTrimmedLength('Reason', 3) },
        },
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
        status: {
          type: DataTypes.STRING(12),
          allowNull: false,
          defaultValue: 'pending',
          validate: { notNull: { msg: 'Status is required' }, isIn: oneOf('Status', STEP_STATUSES) },
        },
        added_by_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'users', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Added by is required' } },
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
        tableName: 'manual_steps',
        modelName: 'ManualStep',
        version: true,
        validate: stepSignOffRules(),
      },
    );
  }
}
