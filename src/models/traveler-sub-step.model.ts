import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { DISPOSITIONS, type Disposition } from './constants.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { User } from './user.model.js';
import {
  decimalGetter,
  decimalNumber,
  generatedColumnHooks,
  oneOf,
  isTimestamp,
  notBlank,
  optionalText,
  toNumber,
  toTime,
  trimmed,
  wholeNumber,
} from './validation.js';

const STEP_SEQUENCE_KEY = {
  name: 'traveler_sub_steps_step_sequence_key',
  msg: 'This step already has a sub-step with that sequence number',
};

/** A traveler's copy of a routing sub-step, with the measured value and its sign-off. */
export class TravelerSubStep extends Model<InferAttributes<TravelerSubStep>, InferCreationAttributes<TravelerSubStep>> {
  declare id: CreationOptional<number>;
  declare traveler_step_id: number;
  declare sequence: number;
  declare description: string;
  declare requires_measurement: CreationOptional<boolean>;
  declare unit: string | null;
  declare lower_limit: number | null;
  declare upper_limit: number | null;
  declare measured_value: number | null;
  declare completed_at: Date | null;
  declare completed_by_id: number | null;
  /** Computed by PostgreSQL: a measurement below the lower or above the upper limit; read-only. */
  declare out_of_limits: CreationOptional<boolean>;
  /** Quality's decision on a measurement out of limits (signed: who, when, why). */
  declare disposition: Disposition | null;
  declare disposition_note: string | null;
  declare disposition_by_id: number | null;
  declare disposition_at: Date | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare travelerStep?: NonAttribute<TravelerStep>;
  declare completedBy?: NonAttribute<User | null>;
  declare dispositionBy?: NonAttribute<User | null>;

  static initModel(sequelize: Sequelize): void {
    TravelerSubStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        traveler_step_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: STEP_SEQUENCE_KEY,
          references: { model: 'traveler_steps', key: 'id' },
          onDelete: 'CASCADE',
          validate: { notNull: { msg: 'Traveler step is required' } },
        },
        sequence: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: STEP_SEQUENCE_KEY,
          validate: { notNull: { msg: 'Sequence is required' }, isSequence: wholeNumber('Sequence', 1) },
        },
        description: {
          type: DataTypes.STRING(500),
          allowNull: false,
          set: trimmed('description'),
          validate: {
            notNull: { msg: 'Description is required' },
            notBlank: notBlank('Description'),
            len: { args: [0, 500], msg: 'Description must be at most 500 characters' },
          },
        },
        requires_measurement: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        unit: {
          type: DataTypes.STRING(20),
          allowNull: true,
          set: optionalText('unit'),
          validate: { len: { args: [0, 20], msg: 'Unit must be at most 20 characters' } },
        },
        lower_limit: {
          type: DataTypes.DECIMAL(14, 4),
          allowNull: true,
          get: decimalGetter('lower_limit'),
          validate: { isLimit: decimalNumber('Lower limit', 14, 4) },
        },
        upper_limit: {
          type: DataTypes.DECIMAL(14, 4),
          allowNull: true,
          get: decimalGetter('upper_limit'),
          validate: { isLimit: decimalNumber('Upper limit', 14, 4) },
        },
        measured_value: {
          type: DataTypes.DECIMAL(14, 4),
          allowNull: true,
          get: decimalGetter('measured_value'),
          validate: { isMeasurement: decimalNumber('Measured value', 14, 4) },
        },
        completed_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Completed at') } },
        completed_by_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'RESTRICT',
        },
        out_of_limits: { type: DataTypes.BOOLEAN, allowNull: true },
        disposition: {
          type: DataTypes.STRING(12),
          allowNull: true,
          validate: { isIn: oneOf('Disposition', DISPOSITIONS) },
        },
        disposition_note: { type: DataTypes.TEXT, allowNull: true, set: optionalText('disposition_note') },
        disposition_by_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'RESTRICT',
        },
        disposition_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Disposition at') } },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'traveler_sub_steps',
        modelName: 'TravelerSubStep',
        version: true,
        validate: {
          limitsOrdered(this: TravelerSubStep) {
            const lower = toNumber(this.lower_limit);
            const upper = toNumber(this.upper_limit);
            if (lower !== null && upper !== null && lower > upper) {
              throw new Error('Lower limit must not be greater than upper limit');
            }
          },
          limitsNeedMeasurement(this: TravelerSubStep) {
            if (!this.requires_measurement && (toNumber(this.lower_limit) !== null || toNumber(this.upper_limit) !== null)) {
              throw new Error('Spec limits need "Needs a measurement" switched on');
            }
          },
          signOffTogether(this: TravelerSubStep) {
            if ((toTime(this.completed_at) === null) !== (this.completed_by_id == null)) {
              throw new Error('A sign-off needs both who (Completed by) and when (Completed at): set both or neither');
            }
          },
          measuredWhenRequired(this: TravelerSubStep) {
            if (toTime(this.completed_at) !== null && this.requires_measurement && toNumber(this.measured_value) === null) {
              throw new Error('This sub-step requires a measured value before it can be signed off');
            }
          },
          dispositionSigned(this: TravelerSubStep) {
            if (this.disposition != null && (this.disposition_note ?? '').trim().length < 3) {
              throw new Error('A disposition needs a note of at least 3 characters saying why');
            }
          },
        },
        // `out_of_limits` is GENERATED ALWAYS from the measurement and the limits.
        hooks: generatedColumnHooks('out_of_limits', ['measured_value', 'lower_limit', 'upper_limit']),
      },
    );
  }
}
