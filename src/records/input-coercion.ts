import { DataTypes, type ModelStatic, type Model, type ModelAttributeColumnOptions } from 'sequelize';
import { humanize, RecordValidationError } from './record-errors.js';
import { policyOf } from '../tables/index.js';

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

/**
 * A decimal as people type it, for every decimal the server reads (forms and measurements). The
 * decimal keypad of a phone shows a comma in many locales, so the one separator may be a point or
 * a comma: "12,5" is 12.5. Grouping is refused rather than guessed ("1.250,5", "1,250.5", "1,2,5"):
 * whether it meant twelve hundred or one and a quarter is not ours to decide on a measurement.
 */
const DECIMAL_TEXT = /^-?(\d+([.,]\d*)?|[.,]\d+)(e-?\d+)?$/i;

/** The number typed, or null when the text is not one number in the shop's notation. */
export function parseDecimalText(raw: string): number | null {
  const text = raw.trim();
  if (!DECIMAL_TEXT.test(text)) return null;
  const value = Number(text.replace(',', '.'));
  return Number.isFinite(value) ? value : null;
}

/** What a person is told when a decimal cannot be read. */
export function decimalRefusal(label: string): string {
  return `${label} must be a number, with a point or a comma before the decimals (12.5 or 12,5) and no thousands separators`;
}

function readOnlyFor(model: ModelStatic<Model>): Set<string> {
  const extra = policyOf(model).derivedFields ?? [];
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

/** Fields a new record may leave empty because its table gives them a value (a number of its pattern). */
function generatedWhenEmpty(model: ModelStatic<Model>): ReadonlySet<string> {
  return new Set(policyOf(model).generatedWhenEmpty ?? []);
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
      else if (mode === 'create' && generatedWhenEmpty(model).has(key))
        continue; // the model's hook fills it
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
        const n = typeof input === 'number' ? (Number.isFinite(input) ? input : null) : parseDecimalText(String(input));
        if (n === null) fields[key] = decimalRefusal(label);
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
