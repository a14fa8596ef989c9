import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';

/**
 * Numbers given to new work orders and travelers when the planner leaves the number empty. A
 * pattern is literal text with date parts and one running number, e.g. `WO-{YY}{SEQ:3}` gives
 * WO-26001, WO-26002... ({YYYY}, {YY} and {MM} are the year and month the record is made in;
 * {SEQ:n} counts up from 1 per prefix, zero-padded to n digits). The next number is one more than
 * the highest number already of that shape, taken under a lock, so numbers typed by hand are
 * stepped over and two planners never get the same one.
 */
export const NUMBERED_TABLES = ['work_orders', 'travelers'] as const;
export type NumberedTable = (typeof NUMBERED_TABLES)[number];

export const DEFAULT_NUMBER_PATTERNS: Record<NumberedTable, string> = {
  work_orders: 'WO-{YY}{SEQ:3}',
  travelers: 'T-{YY}{SEQ:3}',
};

/** The longest number a column holds (work_orders.number and travelers.number are varchar(30)). */
const MAX_NUMBER_LENGTH = 30;
const SEQUENCE = /\{SEQ(?::(\d+))?\}/;
const TOKEN = /\{(YYYY|YY|MM|SEQ(?::\d+)?)\}/g;
/** Numbers are codes (models/validation.ts CODE_PATTERN): capitals, digits, - and _. */
const LITERAL = /^[A-Z0-9_-]*$/;

interface ParsedPattern {
  /** Everything before {SEQ}, with the date parts filled in. */
  prefix: (when: Date) => string;
  digits: number;
}

/** Why a pattern cannot number records, or null when it can. */
export function numberPatternProblem(pattern: string): string | null {
  const sequences = pattern.match(new RegExp(SEQUENCE.source, 'g')) ?? [];
  if (sequences.length !== 1) return 'must contain exactly one {SEQ} or {SEQ:n} (the running number)';
  if (!pattern.endsWith(sequences[0]!)) return 'must end with its {SEQ} running number';
  const digits = Number(SEQUENCE.exec(pattern)![1] ?? 1);
  if (digits < 1 || digits > 9) return 'pads {SEQ:n} to n digits, n from 1 to 9';
  const literal = pattern.replace(TOKEN, '');
  if (/[{}]/.test(literal)) return 'knows only {YYYY}, {YY}, {MM} and {SEQ:n}';
  if (!LITERAL.test(literal)) return 'may contain only capital letters, digits, - and _ besides its {...} parts';
  const longest = pattern.replace('{YYYY}', '0000').replace('{YY}', '00').replace('{MM}', '00').replace(SEQUENCE, '0'.repeat(digits));
  if (longest.length > MAX_NUMBER_LENGTH - 2) return `makes numbers too long: at most ${MAX_NUMBER_LENGTH - 2} characters with the running number at its width`;
  return null;
}

function parse(pattern: string): ParsedPattern {
  const problem = numberPatternProblem(pattern);
  if (problem) throw new Error(`Number pattern ${pattern} ${problem}`);
  const [head] = pattern.split(SEQUENCE);
  const digits = Number(SEQUENCE.exec(pattern)![1] ?? 1);
  return {
    digits,
    prefix: (when) =>
      head!
        .replace('{YYYY}', String(when.getUTCFullYear()))
        .replace('{YY}', String(when.getUTCFullYear()).slice(-2))
        .replace('{MM}', String(when.getUTCMonth() + 1).padStart(2, '0')),
  };
}

export type NumberPatternSettings = Partial<Record<NumberedTable, string | undefined>>;

/**
 * The patterns one app numbers by, parsed once from its configuration (WORK_ORDER_NUMBER_PATTERN,
 * TRAVELER_NUMBER_PATTERN; config.ts refuses a bad one with the reason before this is made). The
 * write pipeline hands them to the table hooks (WriteOptions.numbers); a write without them
 * (seeders, scripts, tests) numbers by the defaults.
 */
export class NumberPatterns {
  /** DEFAULT_NUMBER_PATTERNS, for writes made without an app's patterns. */
  static readonly defaults = new NumberPatterns();

  private readonly parsed: Record<NumberedTable, ParsedPattern>;

  /** Unset or empty patterns keep their default; a pattern that cannot number records throws. */
  constructor(given: NumberPatternSettings = {}) {
    const text = { ...DEFAULT_NUMBER_PATTERNS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v)) } as Record<NumberedTable, string>;
    this.parsed = { work_orders: parse(text.work_orders), travelers: parse(text.travelers) };
  }

  /**
   * The next free number for a new row of `table`, in the caller's transaction. The advisory lock
   * is held to the transaction's end, so a second planner waits for the first one's row.
   */
  async next(sequelize: Sequelize, table: NumberedTable, transaction: Transaction | null | undefined, when: Date = new Date()): Promise<string> {
    const { prefix, digits } = this.parsed[table];
    const head = prefix(when);
    if (transaction) await sequelize.query(`SELECT pg_advisory_xact_lock(hashtext(:key))`, { replacements: { key: `${table}.number` }, transaction });
    // The running number is what follows the prefix; the regex keeps hand-typed numbers of another shape out.
    const [{ last }] = (await sequelize.query<{ last: string | null }>(
      `SELECT max(substring(number FROM char_length(:head) + 1)::bigint) AS last
         FROM ${table === 'work_orders' ? 'work_orders' : 'travelers'}
        WHERE number LIKE :like AND substring(number FROM char_length(:head) + 1) ~ '^[0-9]{1,18}$'`,
      { replacements: { head, like: `${head.replace(/[\\%_]/g, (c) => `\\${c}`)}%` }, type: QueryTypes.SELECT, transaction: transaction ?? null },
    )) as [{ last: string | null }];
    return `${head}${String(Number(last ?? 0) + 1).padStart(digits, '0')}`;
  }
}
