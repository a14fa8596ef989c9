import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import type { ManualStep } from './manual-step.model.js';
import type { ProcessStep } from './process-step.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import { codeColumn, freeTextColumn, requiredTextColumn, versionColumns } from './columns.js';

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
        code: codeColumn('code', 'Code', 20, { name: 'work_centers_code_key', msg: 'Another work center already has that code' }),
        name: requiredTextColumn('name', 'Name', 120),
        description: freeTextColumn('description'),
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        ...versionColumns(),
      },
      { sequelize, tableName: 'work_centers', modelName: 'WorkCenter', version: true },
    );
  }
}
