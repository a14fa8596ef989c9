import { DataTypes } from 'sequelize';
import { MAX_QUANTITY } from './constants.js';
import { CODE_PATTERN, isCalendarDate, isTimestamp, notBlank, oneOf, optionalText, trimmed, upperCode, wholeNumber } from './validation.js';

/**
 * Column definitions that many tables declare alike, so that the same kind of column takes the
 * same input with the same messages everywhere. Each call returns new objects: Sequelize keeps
 * and normalises what init() is given.
 */

/** A unique key over several columns, named as in migrations/, with the message when it is broken. */
export interface UniqueKey {
  name: string;
  msg: string;
}

type OnDelete = 'CASCADE' | 'RESTRICT' | 'SET NULL';

/** Optimistic locking (the model's `version: true`) and the two timestamps, last in every editable table. */
export function versionColumns() {
  return {
    version: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
    created_at: { type: DataTypes.DATE, allowNull: false },
    updated_at: { type: DataTypes.DATE, allowNull: false },
  };
}

/**
 * A foreign key to `table`.id. With `required` it is NOT NULL and `required` names it in the
 * message ("Traveler is required"); without, it is optional.
 */
export function referenceColumn(table: string, options: { required?: string; onDelete?: OnDelete; unique?: UniqueKey } = {}) {
  const { required, onDelete = 'RESTRICT', unique } = options;
  return {
    type: DataTypes.INTEGER,
    allowNull: required === undefined,
    ...(unique && { unique }),
    references: { model: table, key: 'id' },
    onDelete,
    ...(required !== undefined && { validate: { notNull: { msg: `${required} is required` } } }),
  };
}

/** Text that must be given and not blank, trimmed, of at most `length` characters. */
export function requiredTextColumn(field: string, label: string, length: number) {
  return {
    type: DataTypes.STRING(length),
    allowNull: false,
    set: trimmed(field),
    validate: {
      notNull: { msg: `${label} is required` },
      notBlank: notBlank(label),
      len: { args: [0, length] as [number, number], msg: `${label} must be at most ${length} characters` },
    },
  };
}

/** Optional text of at most `length` characters; blank means none. */
export function optionalStringColumn(field: string, label: string, length: number) {
  return {
    type: DataTypes.STRING(length),
    allowNull: true,
    set: optionalText(field),
    validate: { len: { args: [0, length] as [number, number], msg: `${label} must be at most ${length} characters` } },
  };
}

/** Optional free text of any length (notes, instructions); blank means none. */
export function freeTextColumn(field: string) {
  return { type: DataTypes.TEXT, allowNull: true, set: optionalText(field) };
}

/** An identifier people type in either case and read in capitals: customer and work center codes, work order and traveler numbers. */
export function codeColumn(field: string, label: string, length: number, unique: UniqueKey | true) {
  return {
    type: DataTypes.STRING(length),
    allowNull: false,
    unique,
    set: upperCode(field),
    validate: {
      notNull: { msg: `${label} is required` },
      len: { args: [1, length] as [number, number], msg: `${label} must be 1 to ${length} characters` },
      is: { args: CODE_PATTERN, msg: `${label} may contain only capital letters, digits, - and _` },
    },
  };
}

/** One of a CHECK constraint's values (constants.ts), required. */
export function choiceColumn(label: string, values: readonly string[], length: number, defaultValue?: string) {
  return {
    type: DataTypes.STRING(length),
    allowNull: false,
    ...(defaultValue !== undefined && { defaultValue }),
    validate: { notNull: { msg: `${label} is required` }, isIn: oneOf(label, values) },
  };
}

export function timestampColumn(label: string) {
  return { type: DataTypes.DATE, allowNull: true, validate: { isTimestamp: isTimestamp(label) } };
}

/** An optional calendar date (YYYY-MM-DD). */
export function calendarDateColumn(label: string) {
  return { type: DataTypes.DATEONLY, allowNull: true, validate: { validDate: isCalendarDate(label) } };
}

/** How many parts a work order, and each traveler made for it, covers. */
export function quantityColumn() {
  return {
    type: DataTypes.INTEGER,
    allowNull: false,
    validate: { notNull: { msg: 'Quantity is required' }, isQuantity: wholeNumber('Quantity', 1, MAX_QUANTITY) },
  };
}
