import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { TRAVELER_STATUSES, type TravelerStatus } from './constants.js';
import type { Customer } from './customer.model.js';
import type { LaborEntry } from './labor-entry.model.js';
import type { ManualStep } from './manual-step.model.js';
import type { Part } from './part.model.js';
import type { Revision } from './revision.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { WorkOrder } from './work-order.model.js';
import { calendarDateColumn, choiceColumn, codeColumn, freeTextColumn, quantityColumn, referenceColumn, timestampColumn, versionColumns } from './columns.js';
import { minTrimmedLength, optionalText, toTime } from './validation.js';

/** The document that travels with a batch of parts: its own copy of the routing, signed off step by step. */
export class Traveler extends Model<InferAttributes<Traveler>, InferCreationAttributes<Traveler>> {
  declare id: CreationOptional<number>;
  declare number: string;
  declare work_order_id: number;
  /** Always the work order's customer (a composite key in the database keeps them equal). */
  declare customer_id: number;
  declare part_id: number;
  declare revision_id: number;
  declare quantity: number;
  declare status: CreationOptional<TravelerStatus>;
  /** YYYY-MM-DD. */
  declare due_date: string | null;
  declare released_at: Date | null;
  declare started_at: Date | null;
  declare completed_at: Date | null;
  /** Why it was put on hold or cancelled. */
  declare status_reason: string | null;
  declare notes: string | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare workOrder?: NonAttribute<WorkOrder>;
  declare customer?: NonAttribute<Customer>;
  declare part?: NonAttribute<Part>;
  declare revision?: NonAttribute<Revision>;
  declare steps?: NonAttribute<TravelerStep[]>;
  declare manualSteps?: NonAttribute<ManualStep[]>;
  declare laborEntries?: NonAttribute<LaborEntry[]>;

  static initModel(sequelize: Sequelize): void {
    Traveler.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        number: codeColumn('number', 'Traveler number', 30, { name: 'travelers_number_key', msg: 'Another traveler already has that number' }),
        // In the database the key is (work_order_id, part_id): the traveler is for its work order's part.
        work_order_id: referenceColumn('work_orders', { required: 'Work order' }),
        // In the database also (work_order_id, customer_id), following the work order.
        customer_id: referenceColumn('customers', { required: 'Customer' }),
        part_id: referenceColumn('parts', { required: 'Part' }),
        // In the database the key is (revision_id, part_id).
        revision_id: referenceColumn('revisions', { required: 'Revision' }),
        quantity: quantityColumn(),
        status: choiceColumn('Status', TRAVELER_STATUSES, 12, 'draft'),
        due_date: calendarDateColumn('Due date'),
        released_at: timestampColumn('Released at'),
        started_at: timestampColumn('Started at'),
        completed_at: timestampColumn('Completed at'),
        status_reason: {
          type: DataTypes.TEXT,
          allowNull: true,
          set: optionalText('status_reason'),
          validate: { minLength: minTrimmedLength('Reason', 3) },
        },
        notes: freeTextColumn('notes'),
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'travelers',
        modelName: 'Traveler',
        version: true,
        validate: {
          // Release, start and completion times are stamped by the database when the status moves.
          completedHasTime(this: Traveler) {
            if (this.status !== 'completed' && toTime(this.completed_at) !== null) {
              throw new Error('Only a completed traveler has a completed-at time');
            }
          },
          reasonForHoldOrCancel(this: Traveler) {
            if ((this.status === 'on_hold' || this.status === 'cancelled') && !this.status_reason) {
              throw new Error('Putting a traveler on hold or cancelling it needs a reason');
            }
          },
          startedAfterReleased(this: Traveler) {
            const released = toTime(this.released_at);
            const started = toTime(this.started_at);
            if (released !== null && started !== null && started < released) {
              throw new Error('Started at must not be before released at');
            }
          },
          completedAfterStarted(this: Traveler) {
            const started = toTime(this.started_at);
            const completed = toTime(this.completed_at);
            if (started !== null && completed !== null && completed < started) {
              throw new Error('Completed at must not be before started at');
            }
          },
        },
      },
    );
  }
}
