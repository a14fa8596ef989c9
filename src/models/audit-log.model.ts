import net from 'node:net';
import {
  DataTypes,
  Model,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import { Approval } from './approval.model.js';
import { User } from './user.model.js';
import { SNAKE_NAME_PATTERN } from './validation.js';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function maxLength(label: string, max: number) {
  return { len: { args: [0, max] as const, msg: `${label} must be at most ${max} characters` } };
}

/**
 * One changed field of one change (rows of a change share `change_id`). Append-only; the actor's
 * name and email are copied so the history still reads right after a user is renamed.
 */
export class AuditLog extends Model<InferAttributes<AuditLog>, InferCreationAttributes<AuditLog>> {
  /** bigint: a string when beyond JavaScript's safe integers. */
  declare id: CreationOptional<number | string>;
  declare occurred_at: CreationOptional<Date>;
  declare change_id: string;
  declare action: string;
  declare table_name: string | null;
  declare record_id: string | null;
  declare field_name: string | null;
  declare old_value: string | null;
  declare new_value: string | null;
  declare actor_id: number | null;
  declare actor_username: string | null;
  declare actor_name: string | null;
  declare actor_email: string | null;
  declare ip_address: string | null;
  declare user_agent: string | null;
  declare request_id: string | null;
  declare approval_id: number | null;

  declare actor?: NonAttribute<User | null>;
  declare approval?: NonAttribute<Approval | null>;

  static initModel(sequelize: Sequelize): void {
    AuditLog.init(
      {
        // The table's key is (id, occurred_at) because it is partitioned by month; id alone is
        // unique in practice (one identity sequence) and is what Sequelize and the panel need.
        id: { type: DataTypes.BIGINT, primaryKey: true, autoIncrement: true },
        occurred_at: { type: DataTypes.DATE, allowNull: false, defaultValue: DataTypes.NOW },
        change_id: {
          type: DataTypes.UUID,
          allowNull: false,
          validate: { notNull: { msg: 'Change id is required' }, is: { args: UUID_PATTERN, msg: 'Change id must be a UUID' } },
        },
        action: {
          type: DataTypes.STRING(32),
          allowNull: false,
          validate: {
            notNull: { msg: 'Action is required' },
            len: { args: [1, 32], msg: 'Action must be 1 to 32 characters' },
            is: { args: SNAKE_NAME_PATTERN, msg: 'Action may contain only lower-case letters and _' },
          },
        },
        table_name: { type: DataTypes.STRING(63), allowNull: true, validate: maxLength('Table name', 63) },
        record_id: { type: DataTypes.STRING(64), allowNull: true, validate: maxLength('Record id', 64) },
        field_name: { type: DataTypes.STRING(63), allowNull: true, validate: maxLength('Field name', 63) },
        old_value: { type: DataTypes.TEXT, allowNull: true },
        new_value: { type: DataTypes.TEXT, allowNull: true },
        actor_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'users', key: 'id' },
          onDelete: 'RESTRICT',
        },
        actor_username: { type: DataTypes.STRING(64), allowNull: true, validate: maxLength('Actor user name', 64) },
        actor_name: { type: DataTypes.STRING(120), allowNull: true, validate: maxLength('Actor name', 120) },
        actor_email: { type: DataTypes.STRING(254), allowNull: true, validate: maxLength('Actor email', 254) },
        ip_address: {
          type: DataTypes.INET,
          allowNull: true,
          validate: {
            isInet(value: unknown) {
              if (value == null) return;
              // inet also takes a network suffix (10.0.0.0/8), which validator's isIP does not.
              const [address = '', bits] = String(value).split('/');
              if (net.isIP(address) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) {
                throw new Error('IP address must be an IPv4 or IPv6 address');
              }
            },
          },
        },
        user_agent: { type: DataTypes.STRING(512), allowNull: true, validate: maxLength('User agent', 512) },
        request_id: { type: DataTypes.STRING(64), allowNull: true, validate: maxLength('Request id', 64) },
        approval_id: {
          type: DataTypes.INTEGER,
          allowNull: true,
          references: { model: 'approvals', key: 'id' },
          onDelete: 'RESTRICT',
        },
      },
      { sequelize, tableName: 'audit_logs', modelName: 'AuditLog', timestamps: false },
    );
  }

  static associate(): void {
    AuditLog.belongsTo(User, { as: 'actor', foreignKey: 'actor_id' });
    AuditLog.belongsTo(Approval, { as: 'approval', foreignKey: 'approval_id' });
  }
}
