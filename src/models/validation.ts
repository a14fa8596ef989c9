import { ValidationError, ValidationErrorItem, type Model } from 'sequelize';

// The same patterns as the CHECK constraints in migrations/, so a person sees the reason on the
// field before PostgreSQL would refuse the row.
export const CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]*$/;
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._-]{2,63}$/;
export const PART_NUMBER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
export const REVISION_CODE_PATTERN = /^[A-Z0-9][A-Z0-9.-]*$/;
/** Table names in approvals and action names in the audit trail. */
export const SNAKE_NAME_PATTERN = /^[a-z_]+$/;

type Setter = (this: Model, value: unknown) => void;

/** Trims text so that "  " is caught as blank and stored values have no stray spaces. */
export function trimmed(field: string): Setter {
  return function set(this: Model, value: unknown) {
    this.setDataValue(field as never, (typeof value === 'string' ? value.trim() : value) as never);
  };
}

/** Optional text: blank input means "no value" (NULL), as a form with an empty field intends. */
export function optionalText(field: string): Setter {
  return function set(this: Model, value: unknown) {
    const v = typeof value === 'string' ? value.trim() : value;
    this.setDataValue(field as never, (v === '' || v === undefined ? null : v) as never);
  };
}

/** Upper-cases identifiers people type in either case (customer codes, work order numbers). */
export function upperCode(field: string): Setter {
  return function set(this: Model, value: unknown) {
    this.setDataValue(field as never, (typeof value === 'string' ? value.trim().toUpperCase() : value) as never);
  };
}

export function notBlank(label: string) {
  return (value: unknown) => {
    if (typeof value === 'string' && value.trim() === '') throw new Error(`${label} must not be blank`);
  };
}

/** Validator for the enumerations held by CHECK constraints, with the allowed values in the message. */
export function oneOf(label: string, values: readonly string[]) {
  return {
    args: [values as string[]],
    msg: `${label} must be one of: ${values.join(', ')}`,
  };
}

/** Lower-cases what people type in any case but mean one way (user names, login e-mail addresses). */
export function lowerTrimmed(field: string): Setter {
  return function set(this: Model, value: unknown) {
    this.setDataValue(field as never, (typeof value === 'string' ? value.trim().toLowerCase() : value) as never);
  };
}

/** Text that must have at least `min` characters once spaces are trimmed (a reason, not just "x"). */
export function minTrimmedLength(label: string, min: number) {
  return (value: unknown) => {
    if (typeof value === 'string' && value.trim().length < min) throw new Error(`${label} must be at least ${min} characters`);
  };
}

/** A number from a form (text) or from code; NaN when it is not one. Null when empty. */
export function toNumber(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '') return Number(value);
  return Number.NaN;
}

/** Milliseconds of a timestamp given as a Date or text; null when empty. */
export function toTime(value: unknown): number | null {
  if (value === null || value === undefined || value === '') return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' || typeof value === 'number') return new Date(value).getTime();
  return Number.NaN;
}

function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/** Validator for integer columns with a CHECK on their range, e.g. "Quantity must be a whole number greater than 0". */
export function wholeNumber(label: string, min: number, max?: number) {
  return (value: unknown) => {
    const n = toNumber(value);
    if (n === null) return;
    const lowest = min === 1 ? 'greater than 0' : min === 0 ? 'of 0 or more' : `of at least ${formatNumber(min)}`;
    if (!Number.isInteger(n) || n < min) throw new Error(`${label} must be a whole number ${lowest}`);
    if (max !== undefined && n > max) throw new Error(`${label} must be at most ${formatNumber(max)}`);
  };
}

/**
 * Validator for numeric(precision, scale) columns: PostgreSQL rounds extra decimals but refuses
 * a value with too many digits before the point, so that is checked along with the CHECK's range.
 */
export function decimalNumber(label: string, precision: number, scale: number, range: { min?: number; max?: number } = {}) {
  const limit = 10 ** (precision - scale);
  return (value: unknown) => {
    const n = toNumber(value);
    if (n === null) return;
    if (!Number.isFinite(n)) throw new Error(`${label} must be a number`);
    const { min, max } = range;
    if (min !== undefined && max !== undefined && (n < min || n > max)) {
      throw new Error(`${label} must be a number from ${formatNumber(min)} to ${formatNumber(max)}`);
    }
    if (min !== undefined && n < min) throw new Error(`${label} must be ${formatNumber(min)} or more`);
    if (max !== undefined && n > max) throw new Error(`${label} must be at most ${formatNumber(max)}`);
    if (Math.abs(Number(n.toFixed(scale))) >= limit) {
      throw new Error(`${label} must have at most ${precision - scale} digits before the decimal point`);
    }
  };
}

/** Validator for date-only columns, which PostgreSQL would refuse with a technical message. */
export function isCalendarDate(label: string) {
  return (value: unknown) => {
    if (value === null || value === undefined) return;
    if (value instanceof Date ? Number.isNaN(value.getTime()) : Number.isNaN(new Date(String(value)).getTime())) {
      throw new Error(`${label} must be a date, e.g. 2026-03-31`);
    }
  };
}

/** Validator for timestamp columns. */
export function isTimestamp(label: string) {
  return (value: unknown) => {
    const t = toTime(value);
    if (t !== null && Number.isNaN(t)) throw new Error(`${label} must be a date and time`);
  };
}

/**
 * A validation failure found in a hook (after the validators ran), shaped like one from a
 * validator so that callers and the panel show it on the field it concerns.
 */
export function fieldError(instance: Model, path: string, message: string): ValidationError {
  return new ValidationError(message, [new ValidationErrorItem(message, 'validation error', path, null as never, instance, path, path, [])]);
}

/**
 * Getter for numeric(p,s) columns: Sequelize's own parser hands them over as text (overriding
 * pg's), but ours fit a double exactly at their scale, and callers and the panel want numbers.
 * Anything that is not a number (e.g. a typo not yet validated) is returned as it is.
 */
export function decimalGetter(field: string) {
  return function get(this: Model): unknown {
    const value: unknown = this.getDataValue(field as never);
    if (typeof value === 'string' && value.trim() !== '') {
      const n = Number(value);
      if (!Number.isNaN(n)) return n;
    }
    return value;
  };
}

/**
 * Hooks for a column PostgreSQL computes (GENERATED ALWAYS): it refuses any value for it, even
 * NULL or an unchanged one, so the column is taken out of every INSERT and UPDATE Sequelize
 * builds, a value posted back by a form is undone, and an update reads the new value back.
 */
export function generatedColumnHooks(column: string, recomputedBy: readonly string[]) {
  const without = (options: { fields?: string[] }) => {
    if (options.fields) options.fields = options.fields.filter((field) => field !== column);
  };
  return {
    beforeCreate(_instance: Model, options: { fields?: string[] }) {
      without(options);
    },
    beforeBulkCreate(_instances: Model[], options: { fields?: string[] }) {
      without(options);
    },
    beforeUpdate(instance: Model, options: { fields?: string[]; returning?: boolean | string[] }) {
      if (instance.changed(column as never)) {
        const previous = instance.previous(column as never);
        if (previous === undefined) Reflect.deleteProperty(instance.dataValues, column);
        else instance.setDataValue(column as never, previous as never);
        instance.changed(column as never, false);
      }
      without(options);
      if (recomputedBy.some((field) => instance.changed(field as never))) options.returning = true;
    },
    beforeBulkUpdate(options: { fields?: string[] }) {
      without(options);
      // Sequelize hands the values to bulk-update hooks as `options.attributes` (not in its types).
      const values = (options as { attributes?: object }).attributes;
      if (values) Reflect.deleteProperty(values, column);
    },
  };
}
