import {
  DataTypes,
  Model,
  QueryTypes,
  type CreationOptional,
  type InferAttributes,
  type InferCreationAttributes,
  type NonAttribute,
  type Sequelize,
} from 'sequelize';
import { hashPassword, passwordProblem } from '../auth/password.js';
import { ROLES, type Role } from '../auth/roles.js';
import type { Approval } from './approval.model.js';
import type { LaborEntry } from './labor-entry.model.js';
import { choiceColumn, requiredTextColumn, timestampColumn, versionColumns } from './columns.js';
import { EMAIL_PATTERN, USERNAME_PATTERN, fieldError, lowerTrimmed } from './validation.js';

const NEVER_DELETED = 'Users are never deleted: deactivate the account instead (set Active to off).';

export class User extends Model<InferAttributes<User>, InferCreationAttributes<User>> {
  declare id: CreationOptional<number>;
  declare username: string;
  declare email: string;
  declare full_name: string;
  declare role: Role;
  /** Set by the model from `password`; callers never write a hash themselves. */
  declare password_hash: CreationOptional<string>;
  declare active: CreationOptional<boolean>;
  declare last_login_at: Date | null;
  declare password_changed_at: CreationOptional<Date | null>;
  /** The password was set by someone else (an administrator): its holder chooses their own at the next sign-in. */
  declare must_change_password: CreationOptional<boolean>;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;
  /** A new password in clear text, only on its way to `password_hash`; never stored or serialised. */
  declare password: CreationOptional<string | null>;

  declare laborEntries?: NonAttribute<LaborEntry[]>;
  declare requestedApprovals?: NonAttribute<Approval[]>;
  declare decidedApprovals?: NonAttribute<Approval[]>;

  // The hash must not reach the panel, logs or API responses, whichever way a user is serialised.
  override toJSON<T extends InferAttributes<User>>(): T {
    const values: Record<string, unknown> = { ...(super.toJSON() as Record<string, unknown>) };
    delete values.password_hash;
    delete values.password;
    return values as T;
  }

  static initModel(sequelize: Sequelize): void {
    User.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        username: {
          type: DataTypes.STRING(64),
          allowNull: false,
          unique: { name: 'users_username_key', msg: 'That user name is already taken' },
          set: lowerTrimmed('username'),
          validate: {
            notNull: { msg: 'User name is required' },
            is: {
              args: USERNAME_PATTERN,
              msg: 'User name must be 3 to 64 lower-case letters, digits, ".", "-" or "_", starting with a letter or digit',
            },
          },
        },
        email: {
          type: DataTypes.STRING(254),
          allowNull: false,
          unique: { name: 'users_email_key', msg: 'Another user already has that email address' },
          set: lowerTrimmed('email'),
          validate: {
            notNull: { msg: 'Email is required' },
            len: { args: [0, 254], msg: 'Email must be at most 254 characters' },
            is: { args: EMAIL_PATTERN, msg: 'Email must look like name@example.com' },
          },
        },
        full_name: requiredTextColumn('full_name', 'Full name', 120),
        role: choiceColumn('Role', ROLES, 16),
        password_hash: {
          type: DataTypes.TEXT,
          allowNull: false,
          validate: { notNull: { msg: 'Password is required' }, notEmpty: { msg: 'Password is required' } },
        },
        active: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
        must_change_password: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
        last_login_at: timestampColumn('Last login'),
        password_changed_at: timestampColumn('Password changed at'),
        ...versionColumns(),
        password: {
          type: DataTypes.VIRTUAL,
          // Nullable so that the validator below also runs when no password is given.
          allowNull: true,
          // An empty password field on an edit form means "keep the current password".
          set(value: unknown) {
            this.setDataValue('password', typeof value === 'string' && value !== '' ? value : null);
          },
          validate: {
            acceptable(this: User, value: unknown) {
              if (typeof value === 'string') {
                const problem = passwordProblem(value, this.username);
                if (problem) throw new Error(problem);
              } else if (!this.password_hash) {
                throw new Error('Password is required');
              }
            },
          },
        },
      },
      {
        sequelize,
        tableName: 'users',
        modelName: 'User',
        version: true,
        hooks: {
          beforeValidate(user, options) {
            const skip = options.skip;
            if (!skip) return;
            // A static update() validates a bare build of the posted values, without the stored hash:
            // there an empty password means "keep it", not "missing".
            if ((options as { type?: string }).type === QueryTypes.BULKUPDATE && typeof user.password !== 'string') {
              if (!skip.includes('password')) skip.push('password');
              return;
            }
            // The hash is computed after validation (hashing is slow and needs a valid password), so a
            // missing hash is reported once, as "Password is required" on the password field.
            if (!user.password_hash && !skip.includes('password') && !skip.includes('password_hash')) {
              skip.push('password_hash');
            }
          },
          beforeBulkUpdate(options) {
            // Only per-row hooks can hash a new password; without them it would be silently dropped.
            const values = (options as { attributes?: { password?: unknown } }).attributes;
            if (typeof values?.password === 'string' && values.password !== '') options.individualHooks = true;
          },
          async beforeSave(user, options) {
            const password = user.password;
            if (typeof password !== 'string' || password === '') return;
            // Checked again here because saves with `validate: false` or partial `fields` skip the validator.
            const problem = passwordProblem(password, user.username);
            if (problem) throw fieldError(user, 'password', problem);
            user.password_hash = await hashPassword(password);
            user.password_changed_at = new Date();
            if (options.fields) {
              for (const field of ['password_hash', 'password_changed_at'] as const) {
                if (!options.fields.includes(field)) options.fields.push(field);
              }
            }
          },
          afterSave(user) {
            // Drop the clear text as soon as it is hashed; leaving it "changed" would re-save it.
            Reflect.deleteProperty(user.dataValues, 'password');
            user.changed('password', false);
          },
          beforeDestroy() {
            throw new Error(NEVER_DELETED);
          },
          beforeBulkDestroy() {
            throw new Error(NEVER_DELETED);
          },
        },
      },
    );
  }
}
