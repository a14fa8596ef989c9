import { QueryTypes, type Sequelize } from 'sequelize';
import { collapseUserAgent, formatDateTime } from '../shared/value-format.js';
import { approvalSignaturesStatement, type AuditRow, type SignatureRow } from './audit-history.sql.js';
import type { ApprovalSignature, HistoryEntry, RecordDescriber } from './audit-history.types.js';
import { isLimitField, isMeasured, measurementPrecisions, precisionOf, readableValue } from './audit-values.js';
import { recordTitles, referenceTargets, titleKey, type RecordRef } from './record-titles.js';

/**
 * A History's audit rows as the entries people read: one entry a change, with the record it is
 * about and who made it, each changed field labelled, its values readable (references by their
 * titles, measurements to their precision) and the approval that applied it with its signature.
 */

export interface EntryContext {
  /** The record whose History it is. */
  table: string;
  id: string;
  describe: RecordDescriber;
  timeZone: string;
  includeNetwork: boolean;
}

const SECRET_FIELDS = new Set(['password']);

/** A field's label; the password row stands for the hash, whose form label ("New password") would mislead. */
export function auditFieldLabel(describe: RecordDescriber, table: string, field: string): string {
  return field === 'password' ? 'Password' : describe.fieldLabel(table, field);
}

/** The signatures of the approvals that applied some of the entries (one query for all). */
async function approvalSignatures(sequelize: Sequelize, entries: HistoryEntry[], timeZone: string): Promise<Map<number, ApprovalSignature>> {
  const ids = [
    ...new Set(
      entries
        .map((e) => e.approvalId)
        .filter((id): id is number => id !== null)
        .map(Number),
    ),
  ];
  if (ids.length === 0) return new Map();
  const { text, values } = approvalSignaturesStatement(ids);
  const rows = await sequelize.query<SignatureRow>(text, { bind: values, type: QueryTypes.SELECT });
  return new Map(
    rows.map((r) => [
      Number(r.id),
      {
        name: r.signature_name,
        meaning: r.signature_meaning,
        signedAt: r.signed_at ? new Date(r.signed_at).toISOString() : null,
        signedAtText: r.signed_at ? formatDateTime(new Date(r.signed_at), timeZone) : null,
      },
    ]),
  );
}

/** The entries of the rows (in their order), and the title of the record whose History it is. */
export async function readableEntries(
  sequelize: Sequelize,
  rows: AuditRow[],
  { table: tableName, id, describe, timeZone, includeNetwork }: EntryContext,
): Promise<{ entries: HistoryEntry[]; subject: RecordRef }> {
  // Everything to name: the records the entries are about, and every referenced id.
  const references = new Map<string, Map<string, string>>();
  const referencesFor = (table: string) => {
    if (!references.has(table)) references.set(table, referenceTargets(sequelize, table));
    return references.get(table)!;
  };
  const wanted: Array<{ table: string; id: string }> = [{ table: tableName, id }];
  const measured: Array<{ table: string; id: string }> = [];
  const seenLimits: Array<{ table: string; id: string; value: string | null }> = [];
  for (const row of rows) {
    wanted.push({ table: row.table_name, id: row.record_id });
    const target = referencesFor(row.table_name).get(row.field_name);
    if (target && row.old_value !== null) wanted.push({ table: target, id: row.old_value });
    if (target && row.new_value !== null) wanted.push({ table: target, id: row.new_value });
    if (isMeasured(row.table_name, row.field_name)) measured.push({ table: row.table_name, id: row.record_id });
    if (isLimitField(row.table_name, row.field_name)) {
      seenLimits.push({ table: row.table_name, id: row.record_id, value: row.old_value }, { table: row.table_name, id: row.record_id, value: row.new_value });
    }
  }
  const [titles, precisions] = await Promise.all([
    recordTitles(sequelize, wanted),
    measured.length ? measurementPrecisions(sequelize, measured, seenLimits) : Promise.resolve(new Map<string, number>()),
  ]);
  const titleOf = (table: string, ref: string) => titles.get(titleKey(table, ref))!;

  const entries: HistoryEntry[] = [];
  for (const row of rows) {
    let entry = entries[entries.length - 1];
    if (!entry || entry.changeId !== row.change_id) {
      const at = new Date(row.occurred_at);
      entry = {
        changeId: row.change_id,
        at: at.toISOString(),
        atText: formatDateTime(at, timeZone),
        action: row.action,
        record: {
          ...titleOf(row.table_name, row.record_id),
          tableLabel: describe.tableLabel(row.table_name),
          isSubject: row.table_name === tableName && row.record_id === id,
        },
        actor: { kind: row.actor_kind, id: row.actor_id, username: row.actor_username, name: row.actor_name, email: row.actor_email },
        ...(includeNetwork && { ipAddress: row.ip_address, userAgent: row.user_agent, browser: collapseUserAgent(row.user_agent) }),
        requestId: row.request_id,
        approvalId: row.approval_id,
        changes: [],
      };
      entries.push(entry);
    }
    // A record's own id, set at creation, is what the entry is about already.
    if (row.field_name === 'id' && (row.new_value ?? row.old_value) === row.record_id) continue;
    const target = referencesFor(row.table_name).get(row.field_name);
    const secret = SECRET_FIELDS.has(row.field_name);
    const precision = precisionOf(precisions, row.table_name, row.record_id);
    const text = (value: string | null) =>
      value === null
        ? null
        : target
          ? titleOf(target, value).title
          : secret
            ? value
            : readableValue(sequelize, describe, timeZone, row.table_name, row.field_name, value, precision);
    entry.changes.push({
      field: row.field_name,
      label: auditFieldLabel(describe, row.table_name, row.field_name),
      old: row.old_value,
      new: row.new_value,
      oldText: text(row.old_value),
      newText: text(row.new_value),
      ...(target && row.old_value !== null && { oldRef: titleOf(target, row.old_value) }),
      ...(target && row.new_value !== null && { newRef: titleOf(target, row.new_value) }),
      ...(secret && { secret: true as const }),
    });
  }

  const signatures = await approvalSignatures(sequelize, entries, timeZone);
  for (const entry of entries) {
    const signature = entry.approvalId === null ? undefined : signatures.get(Number(entry.approvalId));
    if (signature) entry.signature = signature;
  }

  return { entries, subject: titleOf(tableName, id) };
}
