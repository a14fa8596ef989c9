import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { DISPOSITIONS, type Disposition } from './constants.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { User } from './user.model.js';
import { freeTextColumn, referenceColumn, timestampColumn, versionColumns } from './columns.js';
import { checkColumns, checkLimitRules, signOffPaired } from './routing-columns.js';
import { decimalGetter, decimalNumber, generatedColumnHooks, oneOf, toNumber, toTime } from './validation.js';

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
        traveler_step_id: referenceColumn('traveler_steps', { required: 'Traveler step', onDelete: 'CASCADE', unique: STEP_SEQUENCE_KEY }),
        // The routing check's columns, copied.
        ...checkColumns(STEP_SEQUENCE_KEY),
        measured_value: {
          type: DataTypes.DECIMAL(14, 4),
          allowNull: true,
          get: decimalGetter('measured_value'),
          validate: { isMeasurement: decimalNumber('Measured value', 14, 4) },
        },
        completed_at: timestampColumn('Completed at'),
        completed_by_id: referenceColumn('users'),
        out_of_limits: { type: DataTypes.BOOLEAN, allowNull: true },
        disposition: {
          type: DataTypes.STRING(12),
          allowNull: true,
          validate: { isIn: oneOf('Disposition', DISPOSITIONS) },
        },
        disposition_note: freeTextColumn('disposition_note'),
        disposition_by_id: referenceColumn('users'),
        disposition_at: timestampColumn('Disposition at'),
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'traveler_sub_steps',
        modelName: 'TravelerSubStep',
        version: true,
        validate: {
          ...checkLimitRules(),
          signOffTogether(this: TravelerSubStep) {
            signOffPaired(this);
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
