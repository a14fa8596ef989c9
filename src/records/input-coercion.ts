import { DataTypes, type ModelStatic, type Model, type ModelAttributeColumnOptions } from 'sequelize';
import { humanize, RecordValidationError } from './record-errors.js';

/** Columns no form may set: keys, bookkeeping, and values the database derives. */
export const ALWAYS_READ_ONLY = new Set(['id', 'created_at', 'updated_at', 'version', 'password_hash']);

export interface CoercedInput {
  values: Record<string, unknown>;
  /** The version the client read, when it sent one: saving checks it to refuse lost updates. */
  expectedVersion?: number;
}

const INT32_MAX = 2_147_483_647;
/** Free text (notes, instructions) is for people: a page of it, not a file. */
export const MAX_TEXT_LENGTH = 20_000;
/**
 * Control characters other than tab and line breaks: invisible on screen and in print, a NUL is
 * refused by PostgreSQL, and a terminal escape in an exported CSV can mislead a reviewer.
 */
export const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

function readOnlyFor(model: ModelStatic<Model>): Set<string> {
  const extra = (model as unknown as { readOnlyAttributes?: readonly string[] }).readOnlyAttributes ?? [];
  return new Set([...ALWAYS_READ_ONLY, ...extra]);
}

function typeKey(attribute: ModelAttributeColumnOptions): string {
  const type = attribute.type as unknown as { key?: string; options?: { length?: number } };
  return type.key ?? String(attribute.type);
}

function maxLength(attribute: ModelAttributeColumnOptions): number | undefined {
  const type = attribute.type as unknown as { key?: string; options?: { length?: number }; _length?: number };
  return type.key === DataTypes.STRING.key ? (type.options?.length ?? type._length) : undefined;
}

/**
 * Form values arrive as text. Each is converted to its column's type here, with a message on
 * the field when it cannot be, so that PostgreSQL never sees "abc" for a quantity and answers
 * with a message no operator understands.
 */
export function coerceInput(model: ModelStatic<Model>, raw: Record<string, unknown>, mode: 'create' | 'update'): CoercedInput {
  const attributes = model.getAttributes() as Record<string, ModelAttributeColumnOptions>;
  const readOnly = readOnlyFor(model);
  const values: Record<string, unknown> = {};
  const fields: Record<string, string> = {};
  let expectedVersion: number | undefined;

  for (const [key, input] of Object.entries(raw)) {
    const attribute = attributes[key];
    if (!attribute) continue;
    if (key === 'version' && mode === 'update') {
      const v = Number(input);
      if (input !== '' && input !== null && input !== undefined && Number.isInteger(v)) expectedVersion = v;
      continue;
    }
    if (readOnly.has(key)) continue;
    const label = humanize(key);
    const kind = typeKey(attribute);
    const isEmpty = input === '' || input === null || input === undefined;

    if (kind === 'VIRTUAL') {
      // Virtual inputs (a new password) mean "no change" when left empty.
      if (!isEmpty) values[key] = String(input);
      continue;
    }
    if (isEmpty) {
      // Empty means "no value": NULL where allowed; a column with a default keeps it.
      if (attribute.allowNull !== false) values[key] = null;
      else if (attribute.defaultValue === undefined) fields[key] = `${label} is required`;
      continue;
    }
    switch (kind) {
      case 'INTEGER':
      case 'BIGINT': {
        const text = String(input).trim();
        const n = Number(text);
        if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || (kind === 'INTEGER' && Math.abs(n) > INT32_MAX)) {
          fields[key] = `${label} must be a whole number`;
        } else values[key] = n;
        break;
      }
      case 'DECIMAL':
      case 'FLOAT':
      case 'DOUBLE PRECISION':
      case 'REAL': {
        const text = String(input).trim();
        const n = Number(text);
        if (text === '' || !Number.isFinite(n) || !/^-?(\d+\.?\d*|\.\d+)(e-?\d+)?$/i.test(text)) fields[key] = `${label} must be a number`;
        else values[key] = n;
        break;
      }
      case 'BOOLEAN': {
        if (input === true || input === 'true' || input === '1') values[key] = true;
        else if (input === false || input === 'false' || input === '0') values[key] = false;
        else fields[key] = `${label} must be yes or no`;
        break;
      }
      case 'DATE': {
        const d = input instanceof Date ? input : new Date(String(input));
        if (Number.isNaN(d.getTime())) fields[key] = `${label} must be a date and time`;
        else values[key] = d;
        break;
      }
      case 'DATEONLY': {
        // AdminJS turns date fields into Date objects (UTC midnight) before we see them.
        const text = input instanceof Date && !Number.isNaN(input.getTime()) ? input.toISOString() : String(input).trim();
        const m = text.match(/^(\d{4}-\d{2}-\d{2})(T.*)?$/);
        const d = m ? new Date(`${m[1]}T00:00:00Z`) : undefined;
        if (!m || !d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== m[1]) fields[key] = `${label} must be a date (YYYY-MM-DD)`;
        else values[key] = m[1];
        break;
      }
      case 'STRING':
      case 'TEXT': {
        if (typeof input !== 'string' && typeof input !== 'number') {
          fields[key] = `${label} must be text`;
          break;
        }
        const text = String(input);
        const max = maxLength(attribute) ?? MAX_TEXT_LENGTH;
        const control = text.match(CONTROL_CHARACTER);
        if (text.trim().length > max) fields[key] = `${label} must be at most ${max} characters (got ${text.trim().length})`;
        else if (control) fields[key] = `${label} contains an invisible control character (code ${control[0].charCodeAt(0)}); remove it`;
        else values[key] = text;
        break;
      }
      default:
        values[key] = input;
    }
  }
  if (Object.keys(fields).length > 0) throw new RecordValidationError(fields);
  return { values, expectedVersion };
}
