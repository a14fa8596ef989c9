import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { MAX_QUANTITY, WORK_ORDER_PRIORITIES, WORK_ORDER_STATUSES, type WorkOrderPriority, type WorkOrderStatus } from './constants.js';
import type { Customer } from './customer.model.js';
import type { Part } from './part.model.js';
import type { Revision } from './revision.model.js';
import type { Traveler } from './traveler.model.js';
import { CODE_PATTERN, fieldError, isCalendarDate, oneOf, optionalText, upperCode, wholeNumber } from './validation.js';

export class WorkOrder extends Model<InferAttributes<WorkOrder>, InferCreationAttributes<WorkOrder>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare customer_id: number;
  declare part_id: number;
  declare revision_id: number | null;
  declare quantity: number;
  /** YYYY-MM-DD. */
  declare due_date: string | null;
  declare priority: CreationOptional<WorkOrderPriority>;
  declare status: CreationOptional<WorkOrderStatus>;
  declare notes: string | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare customer?: NonAttribute<Customer>;
  declare part?: NonAttribute<Part>;
  declare revision?: NonAttribute<Revision | null>;
  declare travelers?: NonAttribute<Traveler[]>;

  static initModel(sequelize: Sequelize): void {
    WorkOrder.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        number: {
          type: DataTypes.STRING(30),
          allowNull: false,
          unique: { name: 'work_orders_number_key', msg: 'Another work order already has that number' },
          set: upperCode('number'),
          validate: {
            notNull: { msg: 'Work order number is required' },
            len: { args: [1, 30], msg: 'Work order number must be 1 to 30 characters' },
            is: { args: CODE_PATTERN, msg: 'Work order number may contain only capital letters, digits, - and _' },
          },
        },
        customer_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'customers', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Customer is required' } },
        },
        part_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'parts', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Part is required' } },
        },
        // In the database the key is (revision_id, part_id), so the revision must be one of this part's.
        revision_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'revisions', key: 'id' },
          onDelete: 'RESTRICT',
        },
        quantity: {
          type: DataTypes.INTEGER,
          allowNull: false,
          validate: { notNull: { msg: 'Quantity is required' }, isQuantity: wholeNumber('Quantity', 1, MAX_QUANTITY) },
        },
        due_date: { type: DataTypes.DATEONLY, allowNull: true, validate: { validDate: isCalendarDate('Due date') } },
        priority: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'normal',
          validate: { notNull: { msg: 'Priority is required' }, isIn: oneOf('Priority', WORK_ORDER_PRIORITIES) },
        },
        status: {
          type: DataTypes.STRING(12),
          allowNull: false,
          defaultValue: 'open',
          validate: { notNull: { msg: 'Status is required' }, isIn: oneOf('Status', WORK_ORDER_STATUSES) },
        },
        notes: { type: DataTypes.TEXT, allowNull: true, set: optionalText('notes') },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      {
        sequelize,
        tableName: 'work_orders',
        modelName: 'WorkOrder',
        version: true,
        hooks: {
          beforeValidate(order) {
            if (!order.isNewRecord) return;
            // Work starts open: a work order made as completed or cancelled would skip its whole life.
            // An unknown status is the Status check's to name (below, and the CHECK constraint).
            if (WORK_ORDER_STATUSES.includes(order.status) && order.status !== 'open') {
              throw fieldError(
                order,
                'status',
                `A new work order starts open, not ${String(order.status).replace('_', ' ')}: change its status once work has begun`,
              );
            }
          },
        },
      },
    );
  }
}
