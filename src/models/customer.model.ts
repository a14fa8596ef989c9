import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';
import { CODE_PATTERN, EMAIL_PATTERN, notBlank, optionalText, trimmed, upperCode } from './validation.js';

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
        code: {
          type: DataTypes.STRING(20),
          allowNull: false,
          unique: true,
          set: upperCode('code'),
          validate: {
            notNull: { msg: 'Code is required' },
            len: { args: [1, 20], msg: 'Code must be 1 to 20 characters' },
            is: { args: CODE_PATTERN, msg: 'Code may contain only capital letters, digits, - and _' },
          },
        },
        name: {
          type: DataTypes.STRING(200),
          allowNull: false,
          set: trimmed('name'),
          validate: { notNull: { msg: 'Name is required' }, notBlank: notBlank('Name'), len: { args: [0, 200], msg: 'Name must be at most 200 characters' } },
        },
        contact_name: {
          type: DataTypes.STRING(120),
          allowNull: true,
          set: optionalText('contact_name'),
          validate: { len: { args: [0, 120], msg: 'Contact name must be at most 120 characters' } },
        },
        email: {
          type: DataTypes.STRING(254),
          allowNull: true,
          set: optionalText('email'),
          validate: { is: { args: EMAIL_PATTERN, msg: 'Email must look like name@example.com' } },
        },
        phone: {
          type: DataTypes.STRING(40),
          allowNull: true,
          set: optionalText('phone'),
          validate: { len: { args: [0, 40], msg: 'Phone must be at most 40 characters' } },
        },
        address: { type: DataTypes.TEXT, allowNull: true, set: optionalText('address') },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'customers', modelName: 'Customer', version: true },
    );
  }
}
