import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { ManualStep } from './manual-step.model.js';
import type { ProcessStep } from './process-step.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import { CODE_PATTERN, notBlank, optionalText, trimmed, upperCode } from './validation.js';

export class WorkCenter extends Model<InferAttributes<WorkCenter>, InferCreationAttributes<WorkCenter>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  declare description: string | null;
  declare active: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare processSteps?: NonAttribute<ProcessStep[]>;
  declare travelerSteps?: NonAttribute<TravelerStep[]>;
  declare manualSteps?: NonAttribute<ManualStep[]>;

  static initModel(sequelize: Sequelize): void {
    WorkCenter.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        code: {
          type: DataTypes.STRING(20),
          allowNull: false,
          unique: { name: 'work_centers_code_key', msg: 'Another work center already has that code' },
          set: upperCode('code'),
          validate: {
            notNull: { msg: 'Code is required' },
            len: { args: [1, 20], msg: 'Code must be 1 to 20 characters' },
            is: { args: CODE_PATTERN, msg: 'Code may contain only capital letters, digits, - and _' },
          },
        },
        name: {
          type: DataTypes.STRING(120),
          allowNull: false,
          set: trimmed('name'),
          validate: {
            notNull: { msg: 'Name is required' },
            notBlank: notBlank('Name'),
            len: { args: [0, 120], msg: 'Name must be at most 120 characters' },
          },
        },
        description: { type: DataTypes.TEXT, allowNull: true, set: optionalText('description') },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'work_centers', modelName: 'WorkCenter', version: true },
    );
  }
}
