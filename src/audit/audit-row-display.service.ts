import type { Sequelize } from 'sequelize';
import { collapseUserAgent, formatActor, formatDateTime } from '../shared/value-format.js';
import { auditFieldLabel, type RecordDescriber } from './audit-history.service.js';
import { isLimitField, isMeasured, measurementPrecisions, precisionOf, readableValue, shopTimeZone } from './audit-values.js';
import { recordTitles, referenceTargets, titleKey } from './record-titles.js';

/** The raw columns of an audit row that the audit log and its CSV name for people. */
export interface AuditRowKey {
  table_name: string | null;
  record_id: string | null;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  action?: string | null;
  occurred_at?: Date | string | null;
  user_agent?: string | null;
  actor_kind?: string | null;
  actor_username?: string | null;
  actor_name?: string | null;
}

export interface AuditRowDisplay {
  table_label?: string;
  record_title?: string;
  record_exists?: boolean;
  field_label?: string;
  old_title?: string;
  new_title?: string;
  /** The values as people read them: labels, Yes/No, times with the zone, scaled decimals, titles. */
  old_text?: string | null;
  new_text?: string | null;
  action_label?: string;
  occurred_at_text?: string;
  /** "Chrome 156 on Linux"; the full user agent stays in user_agent. */
  browser?: string | null;
  /** "Test engineer (engineer.user)", "System (seeder)". */
  actor_text?: string;
}

/**
 * Names for a page of audit rows (or a batch of the CSV): the record's title ("T-26002", "#12
 * (deleted)"), the field's label, the values as people read them, referenced records by their
 * titles, the time in the shop's zone, the browser and the person. Two or three queries per
 * page, whatever the number of tables named.
 */
export async function describeAuditRows(
  sequelize: Sequelize,
  rows: AuditRowKey[],
  describe: RecordDescriber,
  timeZone: string = shopTimeZone(),
): Promise<AuditRowDisplay[]> {
  const wanted: Array<{ table: string; id: string }> = [];
  const measured: Array<{ table: string; id: string }> = [];
  const seenLimits: Array<{ table: string; id: string; value: string | null }> = [];
  const targets = rows.map((row) => (row.table_name && row.field_name ? referenceTargets(sequelize, row.table_name).get(row.field_name) : undefined));
  rows.forEach((row, i) => {
    if (row.table_name && row.record_id) wanted.push({ table: row.table_name, id: row.record_id });
    const target = targets[i];
    if (target && row.old_value !== null) wanted.push({ table: target, id: row.old_value });
    if (target && row.new_value !== null) wanted.push({ table: target, id: row.new_value });
    if (row.table_name && row.record_id && row.field_name && isMeasured(row.table_name, row.field_name)) {
      measured.push({ table: row.table_name, id: row.record_id });
      if (isLimitField(row.table_name, row.field_name)) {
        seenLimits.push({ table: row.table_name, id: row.record_id, value: row.old_value }, { table: row.table_name, id: row.record_id, value: row.new_value });
      }
    }
  });
  const [titles, precisions] = await Promise.all([
    recordTitles(sequelize, wanted),
    measured.length ? measurementPrecisions(sequelize, measured, seenLimits) : Promise.resolve(new Map<string, number>()),
  ]);
  return rows.map((row, i) => {
    const display: AuditRowDisplay = {};
    if (row.table_name) display.table_label = describe.tableLabel(row.table_name);
    if (row.table_name && row.record_id) {
      const ref = titles.get(titleKey(row.table_name, row.record_id));
      display.record_title = ref?.title;
      display.record_exists = ref?.exists;
    }
    if (row.table_name && row.field_name) {
      display.field_label = auditFieldLabel(describe, row.table_name, row.field_name);
    }
    const target = targets[i];
    if (target && row.old_value !== null) display.old_title = titles.get(titleKey(target, row.old_value))?.title;
    if (target && row.new_value !== null) display.new_title = titles.get(titleKey(target, row.new_value))?.title;
    if (row.table_name && row.field_name) {
      const precision = row.record_id ? precisionOf(precisions, row.table_name, row.record_id) : undefined;
      const text = (value: string | null, title: string | undefined) =>
        value === null
          ? null
          : target
            ? (title ?? `#${value}`)
            : row.field_name === 'password'
              ? value
              : readableValue(sequelize, describe, timeZone, row.table_name!, row.field_name!, value, precision);
      display.old_text = text(row.old_value, display.old_title);
      display.new_text = text(row.new_value, display.new_title);
    }
    if (row.action) display.action_label = describe.valueLabel?.('audit_logs', 'action', row.action) ?? row.action;
    if (row.occurred_at) display.occurred_at_text = formatDateTime(row.occurred_at, timeZone);
    if (row.user_agent !== undefined) display.browser = collapseUserAgent(row.user_agent);
    if (row.actor_kind) display.actor_text = formatActor({ kind: row.actor_kind, username: row.actor_username ?? '', name: row.actor_name ?? null });
    return display;
  });
}
