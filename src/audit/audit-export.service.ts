import { Op, Transaction, literal, type Sequelize, type WhereOptions } from 'sequelize';
import { assertActor, type Actor } from './actor.js';
import { recordEventIn } from './audit-event.service.js';
import { auditLogWhere, describeAuditLogFilter, type AuditLogFilter } from './audit-log-filter.js';
import type { RecordDescriber } from './audit-history.service.js';
import { describeAuditRows, type AuditRowKey } from './audit-row-display.service.js';
import { shopTimeZone } from './audit-values.js';
import { AuditLog } from '../models/index.js';
import type { ReadSource, ReportPlace } from '../db/read-replica.js';

/**
 * The audit trail as CSV, for a reviewer to take away. One REPEATABLE READ transaction counts the
 * rows, records the export (who, which filter, how many rows) and reads the rows from the same
 * snapshot, so the file holds exactly the counted rows even while others keep writing, and an
 * export is never recorded without the count it delivered.
 */

/** Where the CSV goes: the HTTP response in the panel, anything else in scripts and tests. */
export interface CsvSink {
  /** Called once, before the first line, when the row count is known; `readFrom` says where the rows come from. */
  start(info: { rowCount: number; readFrom?: ReadSource }): void | Promise<void>;
  /** Resolves when the chunk may be followed by the next one (backpressure); rejects when the receiver is gone. */
  write(chunk: string): Promise<void>;
}

export interface ExportResult {
  rowCount: number;
  /** False when the receiver went away before the last row. The export is recorded all the same. */
  delivered: boolean;
}

// Stored columns the file gives under their own names, read as they are (ip_address, between them, is read as text).
const ACTOR_COLUMNS = ['actor_kind', 'actor_id', 'actor_username', 'actor_name', 'actor_email'] as const;
const CONTEXT_COLUMNS = ['user_agent', 'request_id', 'approval_id', 'change_id', 'details'] as const;

/**
 * The file's columns. First what a person reads (times in the shop's zone with the zone, labels,
 * Yes/No, decimals at their scale, records and users by name), then the row exactly as recorded
 * (UTC to the microsecond, codes, ids, stored texts), so that the file can be checked against
 * the trail and read without it.
 */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'occurred_at',
  'action',
  'record_type',
  'record_title',
  'field',
  'old_value',
  'new_value',
  'user',
  'browser',
  'occurred_at_utc',
  'action_code',
  'table_name',
  'record_id',
  'field_name',
  'old_value_stored',
  'new_value_stored',
  ...ACTOR_COLUMNS,
  'ip_address',
  ...CONTEXT_COLUMNS,
] as const;

/** The raw columns read from the trail, under their own names. */
const STORED_COLUMNS = ['id', 'action', 'table_name', 'record_id', 'field_name', 'old_value', 'new_value', ...ACTOR_COLUMNS, ...CONTEXT_COLUMNS] as const;

export interface ExportOptions {
  /** Labels of tables, fields and fixed values (the panel's); without, codes are shown as they are. */
  describe?: RecordDescriber;
  /** The zone of the readable times; the shop's by default. */
  timeZone?: string;
  /** Where the rows are read (db/read-replica.ts); the export is recorded on `sequelize` in any case. Default: `sequelize`. */
  rowsFrom?: Pick<ReportPlace, 'db' | 'source' | 'lagSeconds'>;
}

const plainNames: RecordDescriber = { tableLabel: (table) => table, fieldLabel: (_table, field) => field };

/** One CSV line per row: the readable columns from describeAuditRows, then the stored ones. */
async function csvRows(sequelize: Sequelize, rows: Array<Record<string, unknown>>, describe: RecordDescriber, timeZone: string): Promise<string> {
  const displays = await describeAuditRows(
    sequelize,
    rows.map((row) => ({ ...row, occurred_at: row.occurred_at_utc as string }) as unknown as AuditRowKey),
    describe,
    timeZone,
  );
  return rows
    .map((row, i) => {
      const shown = displays[i]!;
      const readable: Record<string, unknown> = {
        occurred_at: shown.occurred_at_text,
        action: shown.action_label,
        record_type: shown.table_label,
        record_title: shown.record_title,
        field: shown.field_label,
        old_value: shown.old_text,
        new_value: shown.new_text,
        user: shown.actor_text,
        browser: shown.browser,
        action_code: row.action,
        old_value_stored: row.old_value,
        new_value_stored: row.new_value,
      };
      return csvLine(AUDIT_CSV_COLUMNS.map((c) => (c in readable ? readable[c] : row[c])));
    })
    .join('');
}

const BATCH = 1000;
// A spreadsheet runs a cell that starts with one of these as a formula (CSV injection, OWASP).
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly unknown[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/**
 * inTransaction (src/db/unit-of-work.ts) with a chosen isolation level: the actor and request id
 * go into transaction-local settings exactly as there, so audit_event() knows who exports.
 * Also used by the lists' CSV export (src/exports/list-export.service.ts).
 */
export async function inTransactionAt<T>(
  sequelize: Sequelize,
  actor: Actor,
  isolationLevel: Transaction.ISOLATION_LEVELS,
  work: (transaction: Transaction) => Promise<T>,
  what = 'export the audit trail',
): Promise<T> {
  assertActor(actor, what);
  return sequelize.transaction({ isolationLevel }, async (transaction) => {
    await sequelize.query(`SELECT set_config('nexus.actor', $1, true), set_config('nexus.request_id', $2, true)`, {
      bind: [JSON.stringify(actor), actor.requestId],
      transaction,
    });
    return work(transaction);
  });
}

export async function countAuditLogs(filter: AuditLogFilter): Promise<number> {
  return AuditLog.count({ where: auditLogWhere(filter) });
}

export async function exportAuditLogs(
  sequelize: Sequelize,
  actor: Actor,
  filter: AuditLogFilter,
  sink: CsvSink,
  options: ExportOptions = {},
): Promise<ExportResult> {
  const where = auditLogWhere(filter);
  const describe = options.describe ?? plainNames;
  const timeZone = options.timeZone ?? shopTimeZone();
  const rowsFrom = options.rowsFrom;
  return inTransactionAt(sequelize, actor, Transaction.ISOLATION_LEVELS.REPEATABLE_READ, async (transaction) => {
    if (rowsFrom?.source !== 'replica') {
      // The snapshot hides everyone else's later rows; this transaction's own export row is left
      // out explicitly, since a transaction sees its own writes.
      return exportSnapshot({ where: { [Op.and]: [where, literal('txid <> pg_current_xact_id()')] }, transaction }, async (rowCount) => {
        await recordExport(sequelize, transaction, filter, rowCount);
      });
    }
    // The rows from one snapshot of the replica; the export is recorded on the primary, in this
    // transaction, which commits only once the rows are out (or their receiver left), and rolls
    // back with a failed read, as on the primary alone.
    return rowsFrom.db.transaction({ isolationLevel: Transaction.ISOLATION_LEVELS.REPEATABLE_READ }, (replicaTransaction) =>
      exportSnapshot({ where, transaction: replicaTransaction }, async (rowCount) => {
        await recordExport(sequelize, transaction, filter, rowCount, { readFrom: 'replica', replicaLagSeconds: Math.round(rowsFrom.lagSeconds) });
      }),
    );
  });

  /** Counts, records (`record`), then streams the rows of one snapshot (`transaction`'s) in id order. */
  async function exportSnapshot(read: { where: WhereOptions; transaction: Transaction }, record: (rowCount: number) => Promise<void>): Promise<ExportResult> {
    const rowCount = await AuditLog.count({ where: read.where, transaction: read.transaction });
    await record(rowCount);
    await sink.start({ rowCount, readFrom: rowsFrom?.source ?? 'primary' });
    let lastId: string | null = null;
    let written = 0;
    try {
      await sink.write(`\uFEFF${csvLine(AUDIT_CSV_COLUMNS)}`);
      for (;;) {
        const batchWhere: WhereOptions = { [Op.and]: [read.where, ...(lastId === null ? [] : [{ id: { [Op.gt]: lastId } }])] };
        const rows = (await AuditLog.findAll({
          where: batchWhere,
          attributes: [
            // id stays the bigint column: ORDER BY "id" would otherwise sort a text alias.
            ...STORED_COLUMNS,
            // Microseconds and UTC, whatever the session: a JavaScript Date would drop the microseconds.
            [literal(`to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`), 'occurred_at_utc'],
            [literal('host(ip_address)'), 'ip_address'],
          ],
          order: [['id', 'ASC']],
          limit: BATCH,
          raw: true,
          transaction: read.transaction,
        })) as unknown as Array<Record<string, unknown>>;
        if (rows.length === 0) break;
        await sink.write(await csvRows(sequelize, rows, describe, timeZone));
        written += rows.length;
        lastId = String(rows[rows.length - 1]!.id);
      }
    } catch (error) {
      // The receiver went away (closed tab, network): what was sent has been exported, so the
      // export stays recorded. A failing query, by contrast, undoes the whole export.
      if (error instanceof SinkClosedError) return { rowCount, delivered: false };
      throw error;
    }
    if (written !== rowCount) throw new Error(`Audit export read ${written} rows but counted ${rowCount}`);
    return { rowCount, delivered: true };
  }
}

async function recordExport(
  sequelize: Sequelize,
  transaction: Transaction,
  filter: AuditLogFilter,
  rowCount: number,
  extra: Record<string, unknown> = {},
): Promise<void> {
  await recordEventIn(sequelize, transaction, {
    action: 'export',
    table: 'audit_logs',
    details: { filters: describeAuditLogFilter(filter), rowCount, format: 'csv', ...extra },
  });
}

/** What a sink throws when its receiver is gone. */
export class SinkClosedError extends Error {
  constructor() {
    super('The receiver of the export went away');
    this.name = 'SinkClosedError';
  }
}
