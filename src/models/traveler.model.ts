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
import { MAX_QUANTITY, TRAVELER_STATUSES, type TravelerStatus } from './constants.js';
import { nextRecordNumber } from '../records/record-numbers.js';
import { Customer } from './customer.model.js';
import { LaborEntry } from './labor-entry.model.js';
import { ManualStep } from './manual-step.model.js';
import { Part } from './part.model.js';
import { Revision } from './revision.model.js';
import { TravelerStep } from './traveler-step.model.js';
import { WorkOrder } from './work-order.model.js';
import {
  CODE_PATTERN,
  fieldError,
  isCalendarDate,
  isTimestamp,
  minTrimmedLength,
  oneOf,
  optionalText,
  toTime,
  upperCode,
  wholeNumber,
} from './validation.js';

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

  /** Moved only by the traveler's actions (src/travelers/traveler-lifecycle.service.ts), never typed into a form. */
  static readonly workflowAttributes: Record<string, string> = {
    status: 'The status changes through the traveler’s actions (Release, Hold, Resume, Complete, Cancel), not by editing',
    released_at: 'Set by the database when the traveler is released',
    started_at: 'Set by the database when work starts',
    completed_at: 'Set by the database when the last step is signed off',
    status_reason: 'Given with Hold or Cancel',
  };

  /** Always its work order's customer. */
  static readonly readOnlyAttributes = ['customer_id'] as const;

  /** Which field each model-level rule's message belongs to (read by src/records/record-errors.ts). */
  static readonly ruleFields: Record<string, string> = {
    completedHasTime: 'completed_at',
    reasonForHoldOrCancel: 'status_reason',
    startedAfterReleased: 'started_at',
    completedAfterStarted: 'completed_at',
  };

  /** Left empty on a new record, the number is the next of its pattern (records/record-numbers.ts). */
  static readonly generatedWhenEmpty = ['number'] as const;

  static initModel(sequelize: Sequelize): void {
    Traveler.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        number: {
          type: DataTypes.STRING(30),
          allowNull: false,
          unique: { name: 'travelers_number_key', msg: 'Another traveler already has that number' },
          set: upperCode('number'),
          validate: {
            notNull: { msg: 'Traveler number is required' },
            len: { args: [1, 30], msg: 'Traveler number must be 1 to 30 characters' },
            is: { args: CODE_PATTERN, msg: 'Traveler number may contain only capital letters, digits, - and _' },
          },
        },
        // In the database the key is (work_order_id, part_id): the traveler is for its work order's part.
        work_order_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'work_orders', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Work order is required' } },
        },
        // In the database also (work_order_id, customer_id), following the work order.
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
        // In the database the key is (revision_id, part_id).
        revision_id: {
          type: DataTypes.INTEGER,
          allowNull: false,
          references: { model: 'revisions', key: 'id' },
          onDelete: 'RESTRICT',
          validate: { notNull: { msg: 'Revision is required' } },
        },
        quantity: {
          type: DataTypes.INTEGER,
          allowNull: false,
          validate: { notNull: { msg: 'Quantity is required' }, isQuantity: wholeNumber('Quantity', 1, MAX_QUANTITY) },
        },
        status: {
          type: DataTypes.STRING(12),
          allowNull: false,
          defaultValue: 'draft',
          validate: { notNull: { msg: 'Status is required' }, isIn: oneOf('Status', TRAVELER_STATUSES) },
        },
        due_date: { type: DataTypes.DATEONLY, allowNull: true, validate: { validDate: isCalendarDate('Due date') } },
        released_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Released at') } },
        started_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Started at') } },
        completed_at: { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp('Completed at') } },
        status_reason: {
          type: DataTypes.TEXT,
          allowNull: true,
          set: optionalText('status_reason'),
          validate: { minLength: minTrimmedLength('Reason', 3) },
        },
        notes: { type: DataTypes.TEXT, allowNull: true, set: optionalText('notes') },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        created_at: { type: DataTypes.DATE, allowNull: false },
        updated_at: { type: DataTypes.DATE, allowNull: false },
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
        hooks: {
          // The customer is the work order's; a writer never has to (and cannot usefully) pick it.
          async beforeValidate(traveler, options) {
            const transaction = (options as { transaction?: Transaction }).transaction ?? null;
            // Left empty, a new traveler takes the next number of the configured pattern.
            if (traveler.isNewRecord && !traveler.number) traveler.number = await nextRecordNumber(Traveler.sequelize!, 'travelers', transaction);
            if (!traveler.isNewRecord && !traveler.changed('work_order_id')) return;
            if (traveler.work_order_id == null) return;
            const order = await WorkOrder.findByPk(traveler.work_order_id, {
              attributes: ['id', 'customer_id'],
              // Sequelize passes the save's options (with its transaction) to validate hooks.
              transaction,
            });
            if (order) traveler.customer_id = order.customer_id;
          },
          // The composite foreign keys would fail with a constraint name; name the field instead.
          async beforeSave(traveler, options) {
            const relevant = ['work_order_id', 'part_id', 'revision_id'] as const;
            if (!traveler.isNewRecord && !relevant.some((field) => traveler.changed(field))) return;
            const transaction = options.transaction ?? null;
            const partId = Number(traveler.part_id);
            const order = await WorkOrder.findByPk(traveler.work_order_id, { attributes: ['id', 'part_id'], transaction });
            if (order && order.part_id !== partId) {
              throw fieldError(traveler, 'work_order_id', 'The traveler must be for the same part as its work order');
            }
            const revision = await Revision.findByPk(traveler.revision_id, { attributes: ['id', 'part_id'], transaction });
            if (revision && revision.part_id !== partId) {
              throw fieldError(traveler, 'revision_id', 'The revision must belong to the selected part');
            }
          },
        },
      },
    );
  }

  static associate(): void {
    Traveler.belongsTo(WorkOrder, { as: 'workOrder', foreignKey: 'work_order_id' });
    Traveler.belongsTo(Customer, { as: 'customer', foreignKey: 'customer_id' });
    Traveler.belongsTo(Part, { as: 'part', foreignKey: 'part_id' });
    Traveler.belongsTo(Revision, { as: 'revision', foreignKey: 'revision_id' });
    Traveler.hasMany(TravelerStep, { as: 'steps', foreignKey: 'traveler_id' });
    Traveler.hasMany(ManualStep, { as: 'manualSteps', foreignKey: 'traveler_id' });
    Traveler.hasMany(LaborEntry, { as: 'laborEntries', foreignKey: 'traveler_id' });
  }
}
