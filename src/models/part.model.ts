import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { UNITS_OF_MEASURE, type UnitOfMeasure } from './constants.js';
import type { Customer } from './customer.model.js';
import type { Revision } from './revision.model.js';
import type { Traveler } from './traveler.model.js';
import type { WorkOrder } from './work-order.model.js';
import { choiceColumn, referenceColumn, requiredTextColumn, versionColumns } from './columns.js';
import { PART_NUMBER_PATTERN, trimmed, upperCode } from './validation.js';

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
        description: requiredTextColumn('description', 'Description', 500),
        customer_id: referenceColumn('customers'),
        unit_of_measure: { ...choiceColumn('Unit of measure', UNITS_OF_MEASURE, 10, 'EA'), set: upperCode('unit_of_measure') },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        ...versionColumns(),
      },
      { sequelize, tableName: 'parts', modelName: 'Part', version: true },
    );
  }
}
