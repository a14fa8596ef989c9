import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { UNITS_OF_MEASURE, type UnitOfMeasure } from './constants.js';
import type { Customer } from './customer.model.js';
import type { Revision } from './revision.model.js';
import type { Traveler } from './traveler.model.js';
import type { WorkOrder } from './work-order.model.js';
import { PART_NUMBER_PATTERN, notBlank, oneOf, trimmed, upperCode } from './validation.js';

export class Part extends Model<InferAttributes<Part>, InferCreationAttributes<Part>> {
  declare id: CreationOptional<number>;
  declare part_number: string;
  declare description: string;
  declare customer_id: number | null;
  declare unit_of_measure: CreationOptional<UnitOfMeasure>;
  declare active: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare customer?: NonAttribute<Customer | null>;
  declare revisions?: NonAttribute<Revision[]>;
  declare workOrders?: NonAttribute<WorkOrder[]>;
  declare travelers?: NonAttribute<Traveler[]>;

  static initModel(sequelize: Sequelize): void {
    Part.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        part_number: {
          type: DataTypes.STRING(50),
          allowNull: false,
          unique: { name: 'parts_part_number_key', msg: 'Another part already has that part number' },
          // Not upper-cased: customers' drawings may distinguish case in part numbers.
          set: trimmed('part_number'),
          validate: {
            notNull: { msg: 'Part number is required' },
            len: { args: [1, 50], msg: 'Part number must be 1 to 50 characters' },
            is: {
              args: PART_NUMBER_PATTERN,
              msg: 'Part number may contain only letters, digits, ".", "_", "/" and "-", starting with a letter or digit',
            },
          },
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
        customer_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'customers', key: 'id' },
          onDelete: 'RESTRICT',
        },
        unit_of_measure: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'EA',
          set: upperCode('unit_of_measure'),
          validate: { notNull: { msg: 'Unit of measure is required' }, isIn: oneOf('Unit of measure', UNITS_OF_MEASURE) },
        },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'parts', modelName: 'Part', version: true },
    );
  }
}
