import { DataTypes } from 'sequelize';
import { MAX_ESTIMATED_HOURS, STEP_STATUSES } from './constants.js';
import { choiceColumn, freeTextColumn, optionalStringColumn, referenceColumn, requiredTextColumn, timestampColumn, type UniqueKey } from './columns.js';
import { decimalGetter, decimalNumber, toNumber, toTime, wholeNumber } from './validation.js';

/**
 * What a traveler's copy shares with the routing it is copied from: the steps' and checks'
 * columns and rules. Declared once, so that a copy accepts exactly what its routing accepts
 * (a copy that refused a routing's value could not be made; one that took more would hold what
 * no routing allows). Also the sign-off that routing-copied and manual traveler steps share.
 */

export function operationColumn() {
  return requiredTextColumn('operation', 'Operation', 200);
}

export function estimatedHoursColumn() {
  return {
    type: DataTypes.DECIMAL(8, 2),
    allowNull: false,
    get: decimalGetter('estimated_hours'),
    defaultValue: 0,
    validate: {
      notNull: { msg: 'Estimated hours is required' },
      inRange: decimalNumber('Estimated hours', 8, 2, { min: 0, max: MAX_ESTIMATED_HOURS }),
    },
  };
}

/** A routing step's own columns; `stepKey` is its table's unique key of (parent, step number). */
export function stepColumns(stepKey: UniqueKey) {
  return {
    step_number: {
      type: DataTypes.INTEGER,
      allowNull: false,
      unique: stepKey,
      validate: { notNull: { msg: 'Step number is required' }, isStepNumber: wholeNumber('Step number', 1) },
    },
    work_center_id: referenceColumn('work_centers', { required: 'Work center' }),
    operation: operationColumn(),
    instructions: freeTextColumn('instructions'),
    estimated_hours: estimatedHoursColumn(),
    is_parallel: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
  };
}

/** Where a traveler step (copied or manual) stands, and who signed it off when. */
export function signOffColumns() {
  return {
    status: choiceColumn('Status', STEP_STATUSES, 12, 'pending'),
    started_at: timestampColumn('Started at'),
    completed_at: timestampColumn('Completed at'),
    completed_by_id: referenceColumn('users'),
  };
}

interface SignOff {
  completed_at: Date | null;
  completed_by_id: number | null;
}

/** Who and when: both or neither (steps and checks alike). */
export function signOffPaired(row: SignOff): void {
  if ((toTime(row.completed_at) === null) !== (row.completed_by_id == null)) {
    throw new Error('A sign-off needs both who (Completed by) and when (Completed at): set both or neither');
  }
}

interface SignedStep extends SignOff {
  status: string;
  started_at: Date | null;
}

/**
 * The sign-off rules of routing-copied and manual traveler steps: who and when together, only on
 * a completed step, and never before the step was started.
 */
export function stepSignOffRules() {
  return {
    signOffComplete(this: SignedStep) {
      signOffPaired(this);
      const signedOff = toTime(this.completed_at) !== null && this.completed_by_id != null;
      if (this.status === 'completed' && !signedOff) {
        throw new Error('A completed step needs both who signed it off (Completed by) and when (Completed at)');
      }
      if (this.status !== 'completed' && signedOff) {
        throw new Error('Only a completed step can carry a sign-off: set the status to completed or clear the sign-off');
      }
    },
    startedBeforeCompleted(this: SignedStep) {
      const started = toTime(this.started_at);
      const completed = toTime(this.completed_at);
      if (completed === null) return;
      if (started === null) throw new Error('A step with a completed-at time also needs a started-at time');
      if (completed < started) throw new Error('Completed at must not be before started at');
    },
  };
}

function limitColumn(field: 'lower_limit' | 'upper_limit', label: string) {
  return {
    type: DataTypes.DECIMAL(14, 4),
    allowNull: true,
    get: decimalGetter(field),
    validate: { isLimit: decimalNumber(label, 14, 4) },
  };
}

/** A routing check's own columns; `sequenceKey` is its table's unique key of (step, sequence). */
export function checkColumns(sequenceKey: UniqueKey) {
  return {
    sequence: {
      type: DataTypes.INTEGER,
      allowNull: false,
      unique: sequenceKey,
      validate: { notNull: { msg: 'Sequence is required' }, isSequence: wholeNumber('Sequence', 1) },
    },
    description: requiredTextColumn('description', 'Description', 500),
    requires_measurement: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
    unit: optionalStringColumn('unit', 'Unit', 20),
    lower_limit: limitColumn('lower_limit', 'Lower limit'),
    upper_limit: limitColumn('upper_limit', 'Upper limit'),
  };
}

interface Limits {
  requires_measurement?: boolean;
  lower_limit: number | null;
  upper_limit: number | null;
}

/** The rules between a check's limits and its measurement switch. */
export function checkLimitRules() {
  return {
    limitsOrdered(this: Limits) {
      const lower = toNumber(this.lower_limit);
      const upper = toNumber(this.upper_limit);
      if (lower !== null && upper !== null && lower > upper) {
        throw new Error('Lower limit must not be greater than upper limit');
      }
    },
    limitsNeedMeasurement(this: Limits) {
      if (!this.requires_measurement && (toNumber(this.lower_limit) !== null || toNumber(this.upper_limit) !== null)) {
        throw new Error('Limits can only be set on a sub-step that requires a measurement');
      }
    },
  };
}
