import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { WORK_ORDER_PRIORITIES, WORK_ORDER_STATUSES, type WorkOrderPriority, type WorkOrderStatus } from './constants.js';
import type { Customer } from './customer.model.js';
import type { Part } from './part.model.js';
import type { Revision } from './revision.model.js';
import type { Traveler } from './traveler.model.js';
import { calendarDateColumn, choiceColumn, codeColumn, freeTextColumn, quantityColumn, referenceColumn, versionColumns } from './columns.js';
import { fieldError } from './validation.js';

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
        number: codeColumn('number', 'Work order number', 30, { name: 'work_orders_number_key', msg: 'Another work order already has that number' }),
        customer_id: referenceColumn('customers', { required: 'Customer' }),
        part_id: referenceColumn('parts', { required: 'Part' }),
        // In the database the key is (revision_id, part_id), so the revision must be one of this part's.
        revision_id: referenceColumn('revisions'),
        quantity: quantityColumn(),
        due_date: calendarDateColumn('Due date'),
        priority: choiceColumn('Priority', WORK_ORDER_PRIORITIES, 10, 'normal'),
        status: choiceColumn('Status', WORK_ORDER_STATUSES, 12, 'open'),
        notes: freeTextColumn('notes'),
        ...versionColumns(),
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
