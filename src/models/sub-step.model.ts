import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { ProcessStep } from './process-step.model.js';
import { referenceColumn, versionColumns } from './columns.js';
import { checkColumns, checkLimitRules } from './routing-columns.js';

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
        process_step_id: referenceColumn('process_steps', { required: 'Process step', onDelete: 'CASCADE', unique: STEP_SEQUENCE_KEY }),
        ...checkColumns(STEP_SEQUENCE_KEY),
        ...versionColumns(),
      },
      { sequelize, tableName: 'sub_steps', modelName: 'SubStep', version: true, validate: checkLimitRules() },
    );
  }
}
