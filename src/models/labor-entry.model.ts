import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { LABOR_ENTRY_TYPES, MAX_LABOR_HOURS, type LaborEntryType } from './constants.js';
import type { ManualStep } from './manual-step.model.js';
import type { TravelerStep } from './traveler-step.model.js';
import type { Traveler } from './traveler.model.js';
import type { User } from './user.model.js';
import { choiceColumn, freeTextColumn, referenceColumn, timestampColumn, versionColumns } from './columns.js';
import { decimalGetter, generatedColumnHooks, isTimestamp, toTime } from './validation.js';

/** Time spent by a person on a traveler: clocked in and out, or entered afterwards with a reason. */
export class LaborEntry extends Model<InferAttributes<LaborEntry>, InferCreationAttributes<LaborEntry>> {
  declare id: CreationOptional<number>;
  declare user_id: number;
  declare traveler_id: number;
  declare traveler_step_id: number | null;
  declare manual_step_id: number | null;
  declare started_at: Date;
  /** Null while the person is clocked in. */
  declare ended_at: Date | null;
  /** Computed by PostgreSQL from the two times; read-only. */
  declare hours: CreationOptional<number | null>;
  declare entry_type: CreationOptional<LaborEntryType>;
  declare reason: string | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare user?: NonAttribute<User>;
  declare traveler?: NonAttribute<Traveler>;
  declare travelerStep?: NonAttribute<TravelerStep | null>;
  declare manualStep?: NonAttribute<ManualStep | null>;

  static initModel(sequelize: Sequelize): void {
    LaborEntry.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        user_id: referenceColumn('users', { required: 'Person' }),
        traveler_id: referenceColumn('travelers', { required: 'Traveler' }),
        // In the database the key is (traveler_step_id, traveler_id): the step must be on this traveler.
        traveler_step_id: referenceColumn('traveler_steps'),
        // In the database the key is (manual_step_id, traveler_id).
        manual_step_id: referenceColumn('manual_steps'),
        started_at: {
          type: DataTypes.DATE,
          allowNull: false,
          validate: { notNull: { msg: 'Start time is required' }, isTimestamp: isTimestamp('Start time') },
        },
        ended_at: timestampColumn('End time'),
        hours: { type: DataTypes.DECIMAL(8, 2), allowNull: true, get: decimalGetter('hours') },
        entry_type: choiceColumn('Entry type', LABOR_ENTRY_TYPES, 8, 'clock'),
        reason: freeTextColumn('reason'),
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'labor_entries',
        modelName: 'LaborEntry',
        version: true,
        validate: {
          oneStep(this: LaborEntry) {
            if (this.traveler_step_id != null && this.manual_step_id != null) {
              throw new Error('A labor entry is for either a traveler step or a manual step, not both');
            }
          },
          endAfterStart(this: LaborEntry) {
            const started = toTime(this.started_at);
            const ended = toTime(this.ended_at);
            if (started !== null && ended !== null && ended <= started) throw new Error('End time must be after start time');
          },
          hoursInRange(this: LaborEntry) {
            const started = toTime(this.started_at);
            const ended = toTime(this.ended_at);
            if (started === null || ended === null) return;
            // Same rounding as the generated column, so the limit bites exactly where PostgreSQL's does.
            if (Math.round(((ended - started) / 3_600_000) * 100) / 100 > MAX_LABOR_HOURS) {
              throw new Error(`A labor entry can be at most ${MAX_LABOR_HOURS} hours (14 days) long`);
            }
          },
          manualNeedsReason(this: LaborEntry) {
            if (this.entry_type === 'manual' && (typeof this.reason !== 'string' || this.reason.trim().length < 3)) {
              throw new Error('A manual labor entry needs a reason of at least 3 characters');
            }
          },
          manualNeedsEnd(this: LaborEntry) {
            if (this.entry_type === 'manual' && toTime(this.ended_at) === null) {
              throw new Error('A manual labor entry needs an end time');
            }
          },
        },
        hooks: {
          // `hours` is GENERATED ALWAYS from the two times.
          ...generatedColumnHooks('hours', ['started_at', 'ended_at']),
        },
      },
    );
  }
}
