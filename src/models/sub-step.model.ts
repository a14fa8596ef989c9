import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { ProcessStep } from './process-step.model.js';
import { decimalGetter, decimalNumber, notBlank, optionalText, toNumber, trimmed, wholeNumber } from './validation.js';

const STEP_SEQUENCE_KEY = {
  name: 'sub_steps_step_sequence_key',
  msg: 'This step already has a sub-step with that sequence number',
};

/** A check or action within a routing step, optionally with a measurement and its limits. */
export class SubStep extends Model<InferAttributes<SubStep>, InferCreationAttributes<SubStep>> {
  declare id: CreationOptional<number>;
  declare process_step_id: number;
  declare sequence: number;
  declare description: string;
  declare requires_measurement: CreationOptional<boolean>;
  declare unit: string | null;
  declare lower_limit: number | null;
  declare upper_limit: number | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare processStep?: NonAttribute<ProcessStep>;

  static initModel(sequelize: Sequelize): void {
    SubStep.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        process_step_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          unique: STEP_SEQUENCE_KEY,
          references: { model: 'process_steps', key: 'id' },
          onDelete: 'CASCADE',
          validate: { notNull: { msg: 'Process step is required' } },
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
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'sub_steps',
        modelName: 'SubStep',
        version: true,
        validate: {
          limitsOrdered(this: SubStep) {
            const lower = toNumber(this.lower_limit);
            const upper = toNumber(this.upper_limit);
            if (lower !== null && upper !== null && lower > upper) {
              throw new Error('Lower limit must not be greater than upper limit');
            }
          },
          limitsNeedMeasurement(this: SubStep) {
            if (!this.requires_measurement && (toNumber(this.lower_limit) !== null || toNumber(this.upper_limit) !== null)) {
              throw new Error('Limits can only be set on a sub-step that requires a measurement');
            }
          },
        },
      },
    );
  }
}
