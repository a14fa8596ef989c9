import {
  DataTypes,
  literal,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import type { Approval } from './approval.model.js';
import type { User } from './user.model.js';

export const ACTOR_KINDS = ['user', 'system', 'anonymous'] as const;

/**
 * One changed field of one change (the rows of a change share `change_id`), or one event
 * (sign-in, export). Written only by the database (triggers and audit_event()), never through
 * this model: it is here to read and list. The actor's name and email are copied so the history
 * still reads right after a user is renamed.
 */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  /** bigint: a string when beyond JavaScript's safe integers. */
  declare id: CreationOptional<number | string>;
  declare occurred_at: CreationOptional<Date>;
  /** xid8 of the writing transaction, as text. */
  declare txid: CreationOptional<string>;
  declare change_id: string;
  declare action: string;
  declare table_name: string | null;
  declare record_id: string | null;
  declare field_name: string | null;
  declare old_value: string | null;
  declare new_value: string | null;
  declare actor_kind: (typeof ACTOR_KINDS)[number];
  declare actor_id: number | null;
  declare actor_username: string;
  declare actor_name: string | null;
  declare actor_email: string | null;
  declare ip_address: string | null;
  declare user_agent: string | null;
  declare request_id: string | null;
  declare approval_id: number | null;
  declare details: Record<string, unknown> | null;

  declare actor?: NonAttribute<User | null>;
  declare approval?: NonAttribute<Approval | null>;

  static initModel(sequelize: Sequelize): void {
    AuditLog.init(
      {
        // The table's key is (id, occurred_at) because it is partitioned by month; id alone is
        // unique (one identity sequence) and is what Sequelize and the panel need.
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        occurred_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        txid: { type: 'XID8', allowNull: false, defaultValue: literal('pg_current_xact_id()') },
        change_id: { type: DataTypes.UUID, allowNull: false },
        action: { type: DataTypes.STRING(32), allowNull: false },
        table_name: { type: DataTypes.STRING(63), allowNull: true },
        record_id: { type: DataTypes.STRING(64), allowNull: true },
        field_name: { type: DataTypes.STRING(63), allowNull: true },
        old_value: { type: DataTypes.TEXT, allowNull: true },
        new_value: { type: DataTypes.TEXT, allowNull: true },
        actor_kind: { type: DataTypes.STRING(9), allowNull: false },
        actor_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' } },
        actor_username: { type: DataTypes.STRING(120), allowNull: false },
        actor_name: { type: DataTypes.STRING(120), allowNull: true },
        actor_email: { type: DataTypes.STRING(254), allowNull: true },
        ip_address: { type: DataTypes.INET, allowNull: true },
        user_agent: { type: DataTypes.STRING(512), allowNull: true },
        request_id: { type: DataTypes.STRING(64), allowNull: true },
        approval_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'approvals', key: 'id' } },
        details: { type: DataTypes.JSONB, allowNull: true },
      },
      {
        sequelize,
        tableName: 'audit_logs',
        modelName: 'AuditLog',
        timestamps: false,
        hooks: {
          beforeCreate() {
            throw new Error('Audit rows are written by the database, not through the AuditLog model');
          },
          beforeBulkCreate() {
            throw new Error('Audit rows are written by the database, not through the AuditLog model');
          },
        },
      },
    );
  }
}
