import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { APPROVAL_OPERATIONS, APPROVAL_STATUSES, type ApprovalOperation, type ApprovalStatus } from './constants.js';
import type { AuditLog } from './audit-log.model.js';
import type { User } from './user.model.js';
import { choiceColumn, freeTextColumn, referenceColumn, timestampColumn, versionColumns } from './columns.js';
import { SNAKE_NAME_PATTERN, isTimestamp, oneOf, toTime, wholeNumber } from './validation.js';

/** A change held back until a second person approves it (four eyes). */
export class Approval extends Model<InferAttributes<Approval>, InferCreationAttributes<Approval>> {
  declare id: CreationOptional<number>;
  declare target_table: string;
  /** Null for a request to create a record, which has no id until it is approved. */
  declare target_id: number | null;
  declare operation: ApprovalOperation;
  /** The proposed field values, as a JSON object. */
  declare changes: Record<string, unknown>;
  /** The target's `version` when the change was requested; the approval is stale if it moved on. */
  declare base_version: number | null;
  declare status: CreationOptional<ApprovalStatus>;
  declare reason: string | null;
  declare requested_by_id: number;
  declare requested_at: CreationOptional<Date>;
  declare decided_by_id: number | null;
  declare decided_at: Date | null;
  declare decision_comment: string | null;
  /** Whose page shows the pending change (a traveler for its steps and manual steps). */
  declare parent_table: string | null;
  declare parent_id: number | null;
  /** The policy rule that asked for approval (src/approvals/approval-policy.ts). */
  declare rule: string | null;
  /** One line a person can read in a list or a mail. */
  declare summary: string | null;
  /** For an approved request to create a record: the record it created. */
  declare applied_record_id: number | null;
  /** When the approved change was applied (once: the database refuses a second time). */
  declare applied_at: Date | null;
  /** What the request is about, hashed by the database when it was made (approval_content_hash). */
  declare content_hash: CreationOptional<Buffer | null>;
  /** The electronic signature: printed name, meaning and time. */
  declare signature_name: string | null;
  declare signature_meaning: 'approved' | 'rejected' | 'reviewed' | null;
  declare signed_at: Date | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare requestedBy?: NonAttribute<User>;
  declare decidedBy?: NonAttribute<User | null>;
  declare auditLogs?: NonAttribute<AuditLog[]>;

  static initModel(sequelize: Sequelize): void {
    Approval.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        target_table: {
          type: DataTypes.STRING(63),
          allowNull: false,
          validate: {
            notNull: { msg: 'Target table is required' },
            len: { args: [1, 63], msg: 'Target table must be 1 to 63 characters' },
            is: { args: SNAKE_NAME_PATTERN, msg: 'Target table may contain only lower-case letters and _' },
          },
        },
        target_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          validate: { isId: wholeNumber('Target record id', 1) },
        },
        operation: {
          type: DataTypes.STRING(12),
          allowNull: false,
          validate: { notNull: { msg: 'Operation is required' }, isIn: oneOf('Operation', APPROVAL_OPERATIONS) },
        },
        changes: {
          type: DataTypes.JSONB,
          allowNull: false,
          validate: {
            notNull: { msg: 'Changes are required' },
            isObject(value: unknown) {
              if (typeof value !== 'object' || value === null || Array.isArray(value)) {
                throw new Error('Changes must be a set of field names and values (a JSON object)');
              }
            },
          },
        },
        base_version: {
          type: DataTypes.INTEGER,
          allowNull: true,
          validate: { isVersion: wholeNumber('Base version', 0) },
        },
        status: choiceColumn('Status', APPROVAL_STATUSES, 10, 'pending'),
        reason: freeTextColumn('reason'),
        requested_by_id: referenceColumn('users', { required: 'Requested by' }),
        requested_at: {
          type: DataTypes.DATE,
          allowNull: false,
          defaultValue: DataTypes.NOW,
          validate: { notNull: { msg: 'Requested at is required' }, isTimestamp: isTimestamp('Requested at') },
        },
        decided_by_id: referenceColumn('users'),
        decided_at: timestampColumn('Decided at'),
        decision_comment: freeTextColumn('decision_comment'),
        parent_table: { type: DataTypes.STRING(63), allowNull: true },
        parent_id: { type: DataTypes.INTEGER, allowNull: true },
        rule: { type: DataTypes.STRING(63), allowNull: true },
        summary: { type: DataTypes.STRING(300), allowNull: true },
        applied_record_id: { type: DataTypes.INTEGER, allowNull: true },
        applied_at: { type: DataTypes.DATE, allowNull: true },
        content_hash: { type: DataTypes.BLOB, allowNull: true },
        signature_name: { type: DataTypes.STRING(120), allowNull: true },
        signature_meaning: { type: DataTypes.STRING(10), allowNull: true },
        signed_at: { type: DataTypes.DATE, allowNull: true },
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'approvals',
        modelName: 'Approval',
        version: true,
        validate: {
          decisionComplete(this: Approval) {
            const decided = toTime(this.decided_at) !== null;
            if (this.status === 'pending' && decided) throw new Error('A pending request cannot have a decision time');
            if (this.status !== 'pending' && !decided) {
              throw new Error('A request that is no longer pending needs a decision time');
            }
          },
          deciderPresent(this: Approval) {
            const decides = this.status === 'approved' || this.status === 'rejected';
            if (decides && this.decided_by_id == null) throw new Error('An approved or rejected request names who decided it');
            if (!decides && this.decided_by_id != null) throw new Error('Only an approved or rejected request has a decider');
          },
          fourEyes(this: Approval) {
            if (this.decided_by_id != null && Number(this.decided_by_id) === Number(this.requested_by_id)) {
              throw new Error('Nobody may decide their own request: another person must approve or reject it');
            }
          },
        },
      },
    );
  }
}
