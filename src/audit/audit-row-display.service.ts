import type { Sequelize } from 'sequelize';
import { auditFieldLabel, type RecordDescriber } from './audit-history.service.js';
import { recordTitles, referenceTargets, titleKey } from './record-titles.js';

/** The raw columns of an audit row that the panel's audit log names for people. */
export interface AuditRowKey {
  table_name: string | null;
  record_id: string | null;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
}

export interface AuditRowDisplay {
  table_label?: string;
  record_title?: string;
  record_exists?: boolean;
  field_label?: string;
  old_title?: string;
  new_title?: string;
}

/**
 * Names for one page of audit rows: the record's title ("T-26002", "#12 (deleted)"), the field's
 * label, and the titles of referenced records in old and new values. A few queries per page,
 * one per table named.
 */
export async function describeAuditRows(sequelize: Sequelize, rows: AuditRowKey[], describe: RecordDescriber): Promise<AuditRowDisplay[]> {
  const wanted: Array<{ table: string; id: string }> = [];
  const targets = rows.map((row) => (row.table_name && row.field_name ? referenceTargets(sequelize, row.table_name).get(row.field_name) : undefined));
  rows.forEach((row, i) => {
    if (row.table_name && row.record_id) wanted.push({ table: row.table_name, id: row.record_id });
    const target = targets[i];
    if (target && row.old_value !== null) wanted.push({ table: target, id: row.old_value });
    if (target && row.new_value !== null) wanted.push({ table: target, id: row.new_value });
  });
  const titles = await recordTitles(sequelize, wanted);
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
    return display;
  });
}
