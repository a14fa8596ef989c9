import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
  type Transaction,
} from 'sequelize';
import {
  MAX_QUANTITY,
  WORK_ORDER_PRIORITIES,
  WORK_ORDER_STATUSES,
  type WorkOrderPriority,
  type WorkOrderStatus,
} from './constants.js';
import { nextRecordNumber } from '../records/record-numbers.js';
import { Customer } from './customer.model.js';
import { Part } from './part.model.js';
import { Revision } from './revision.model.js';
import { Traveler } from './traveler.model.js';
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

  /** Left empty on a new record, the number is the next of its pattern (records/record-numbers.ts). */
  static readonly generatedWhenEmpty = ['number'] as const;

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
          async beforeValidate(order, options) {
            if (!order.isNewRecord) return;
            // Work starts open: a work order made as completed or cancelled would skip its whole life.
            // An unknown status is the Status check's to name (below, and the CHECK constraint).
            if (WORK_ORDER_STATUSES.includes(order.status) && order.status !== 'open') {
              throw fieldError(order, 'status', `A new work order starts open, not ${String(order.status).replace('_', ' ')}: change its status once work has begun`);
            }
            // Left empty, a new work order takes the next number of the configured pattern.
            if (!order.number) {
              order.number = await nextRecordNumber(WorkOrder.sequelize!, 'work_orders', (options as { transaction?: Transaction }).transaction ?? null);
            }
          },
          // The composite foreign key would fail with a constraint name; name the field instead.
          async beforeSave(order, options) {
            if (order.revision_id == null) return;
            if (!order.isNewRecord && !order.changed('revision_id') && !order.changed('part_id')) return;
            const revision = await Revision.findByPk(order.revision_id, {
              attributes: ['id', 'part_id'],
              transaction: options.transaction ?? null,
            });
            if (revision && revision.part_id !== Number(order.part_id)) {
              throw fieldError(order, 'revision_id', 'The revision must belong to the selected part');
            }
          },
        },
      },
    );
  }

  static associate(): void {
    WorkOrder.belongsTo(Customer, { as: 'customer', foreignKey: 'customer_id' });
    WorkOrder.belongsTo(Part, { as: 'part', foreignKey: 'part_id' });
    WorkOrder.belongsTo(Revision, { as: 'revision', foreignKey: 'revision_id' });
    WorkOrder.hasMany(Traveler, { as: 'travelers', foreignKey: 'work_order_id' });
  }
}
