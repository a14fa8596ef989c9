import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { codeColumn, freeTextColumn, optionalStringColumn, requiredTextColumn, versionColumns } from './columns.js';
import { EMAIL_PATTERN, optionalText } from './validation.js';

export class Customer extends Model<InferAttributes<Customer>, InferCreationAttributes<Customer>> {
  declare id: CreationOptional<number>;
  declare code: string;
  declare name: string;
  declare contact_name: string | null;
  declare email: string | null;
  declare phone: string | null;
  declare address: string | null;
  declare active: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    Customer.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        code: codeColumn('code', 'Code', 20, true),
        name: requiredTextColumn('name', 'Name', 200),
        contact_name: optionalStringColumn('contact_name', 'Contact name', 120),
        email: {
          type: DataTypes.STRING(254),
          allowNull: true,
          set: optionalText('email'),
          validate: { is: { args: EMAIL_PATTERN, msg: 'Email must look like name@example.com' } },
        },
        phone: optionalStringColumn('phone', 'Phone', 40),
        address: freeTextColumn('address'),
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        ...versionColumns(),
      },
      { sequelize, tableName: 'customers', modelName: 'Customer', version: true },
    );
  }
}
