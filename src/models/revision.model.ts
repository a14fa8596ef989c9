import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type NonAttribute, type Sequelize } from 'sequelize';
import { REVISION_STATUSES, type RevisionStatus } from './constants.js';
import type { Part } from './part.model.js';
import type { ProcessStep } from './process-step.model.js';
import type { Traveler } from './traveler.model.js';
import type { WorkOrder } from './work-order.model.js';
import { calendarDateColumn, choiceColumn, freeTextColumn, referenceColumn, versionColumns } from './columns.js';
import { REVISION_CODE_PATTERN, fieldError, upperCode } from './validation.js';

const PART_REVISION_KEY = { name: 'revisions_part_revision_key', msg: 'This part already has a revision with that code' };

export class Revision extends Model<InferAttributes<Revision>, InferCreationAttributes<Revision>> {
  declare id: CreationOptional<number>;
  declare part_id: number;
  declare revision_code: string;
  declare status: CreationOptional<RevisionStatus>;
  /** YYYY-MM-DD. */
  declare effective_date: string | null;
  declare notes: string | null;
  declare version: CreationOptional<number>;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;

  declare part?: NonAttribute<Part>;
  declare processSteps?: NonAttribute<ProcessStep[]>;
  declare workOrders?: NonAttribute<WorkOrder[]>;
  declare travelers?: NonAttribute<Traveler[]>;

  /**
   * Moved only by Release and Make obsolete (src/records/revision-release.service.ts, with their
   * checks and the approval policy), never typed into a form.
   */

  static initModel(sequelize: Sequelize): void {
    Revision.init(
      {
        id: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
        part_id: referenceColumn('parts', { required: 'Part', unique: PART_REVISION_KEY }),
        revision_code: {
          type: DataTypes.STRING(10),
          allowNull: false,
          unique: PART_REVISION_KEY,
          set: upperCode('revision_code'),
          validate: {
            notNull: { msg: 'Revision code is required' },
            len: { args: [1, 10], msg: 'Revision code must be 1 to 10 characters' },
            is: {
              args: REVISION_CODE_PATTERN,
              msg: 'Revision code may contain only capital letters, digits, "." and "-", starting with a letter or digit',
            },
          },
        },
        status: choiceColumn('Status', REVISION_STATUSES, 10, 'draft'),
        effective_date: calendarDateColumn('Effective date'),
        notes: freeTextColumn('notes'),
        ...versionColumns(),
      },
      {
        sequelize,
        tableName: 'revisions',
        modelName: 'Revision',
        version: true,
        validate: {
          releasedHasEffectiveDate(this: Revision) {
            if (this.status === 'released' && !this.effective_date) {
              throw new Error('A released revision needs an effective date');
            }
          },
        },
        hooks: {
          beforeValidate(revision) {
            if (!revision.isNewRecord) return;
            // A revision is written as a draft and released with Release (and its approval): one made
            // released or obsolete would skip both. The database refuses it too (revision_starts_draft).
            // An unknown status is left to the Status field's own check, which lists the valid ones.
            if ((REVISION_STATUSES as readonly unknown[]).includes(revision.status) && revision.status !== 'draft') {
              throw fieldError(
                revision,
                'status',
                `A new revision starts as a draft, not ${String(revision.status)}: release it with Release once its routing is written`,
              );
            }
          },
        },
      },
    );
  }
}
