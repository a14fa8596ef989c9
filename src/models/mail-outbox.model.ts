import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export const MAIL_STATUSES = ['pending', 'sent', 'held', 'failed'] as const;
export type MailStatus = (typeof MAIL_STATUSES)[number];

/**
 * A mail written in the same transaction as what it announces and sent after commit. With no
 * SMTP server configured it is "held" here, where administrators read it in the panel.
 */
export class MailOutbox extends Model<InferAttributes<MailOutbox>, InferCreationAttributes<MailOutbox>> {
  declare id: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare recipient_id: number | null;
  declare to_address: string;
  declare subject: string;
  declare body: string;
  declare approval_id: number | null;
  declare status: CreationOptional<MailStatus>;
  declare attempts: CreationOptional<number>;
  declare last_error: string | null;
  declare sent_at: Date | null;
  declare version: CreationOptional<number>;
  declare updated_at: CreationOptional<Date>;

  static initModel(sequelize: Sequelize): void {
    MailOutbox.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        created_at: { type: DataTypes.DATE, allowNull: false },
        recipient_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'users', key: 'id' } },
        to_address: { type: DataTypes.STRING(254), allowNull: false },
        subject: { type: DataTypes.STRING(300), allowNull: false },
        body: { type: DataTypes.TEXT, allowNull: false },
        approval_id: { type: DataTypes.INTEGER, allowNull: true, references: { model: 'approvals', key: 'id' } },
        status: {
          type: DataTypes.STRING(10),
          allowNull: false,
          defaultValue: 'pending',
          validate: { isIn: { args: [MAIL_STATUSES as unknown as string[]], msg: `Status must be one of: ${MAIL_STATUSES.join(', ')}` } },
        },
        attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        last_error: { type: DataTypes.TEXT, allowNull: true },
        sent_at: { type: DataTypes.DATE, allowNull: true },
        version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
        updated_at: { type: DataTypes.DATE, allowNull: false },
      },
      { sequelize, tableName: 'mail_outbox', modelName: 'MailOutbox', version: true, createdAt: 'created_at', updatedAt: 'updated_at' },
    );
  }
}
