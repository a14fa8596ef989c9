import type { ValueLabels } from './audit-values.js';
import type { RecordRef } from './record-titles.js';

/**
 * What a record's History is asked and what it answers: the shapes shared by the service that
 * reads it, its filter and its statements, and the panel's page.
 */

/** Person-readable names, from the panel's resource labels (the service does not know AdminJS). */
export interface RecordDescriber extends ValueLabels {
  tableLabel(table: string): string;
  fieldLabel(table: string, field: string): string;
}

export interface HistoryOptions {
  describe?: RecordDescriber;
  /** IP address and user agent are for audit reviewers only. */
  includeNetwork?: boolean;
  /** Child tables the reader may not read are left out. */
  canReadTable?: (table: string) => boolean;
  /** Changes (not rows) to return; older ones are reported as existing. */
  limit?: number;
  /** Only the changes of one field, by one user, in a span of time (parseHistoryFilter). */
  filter?: HistoryFilter;
  /** Also list the fields and users the whole history holds, for the page's filter controls. */
  facets?: boolean;
  /** The zone times are written in; the shop's by default. */
  timeZone?: string;
}

/** What a History may be narrowed to. Every part narrows; none can reach another record. */
export interface HistoryFilter {
  /** One field; of one table of the history when `table` is given ("traveler_steps.status"). */
  field?: { table?: string; name: string };
  /** A person by user id, or a system actor by name ("system:seeder"). */
  user?: { id: number } | { username: string };
  /** Inclusive. */
  from?: Date;
  /** Exclusive. */
  to?: Date;
}

export interface HistoryFacets {
  /** "table.field" values with their labels, the subject's own fields first. */
  fields: Array<{ value: string; label: string }>;
  /** User ids (or "system:..." names) with the names people know them by. */
  users: Array<{ value: string; label: string }>;
}

export interface FieldChange {
  field: string;
  label: string;
  /** As recorded: the audit trail's text. */
  old: string | null;
  new: string | null;
  /** As people read them: labels, Yes/No, times in the shop's zone, decimals at their scale, titles. */
  oldText: string | null;
  newText: string | null;
  /** The referenced records when the field is a reference (the raw ids stay in old/new). */
  oldRef?: RecordRef;
  newRef?: RecordRef;
  /** A secret (the password): only the fact that it changed is recorded and shown. */
  secret?: true;
}

export interface HistoryActor {
  kind: string;
  id: number | null;
  username: string;
  name: string | null;
  email: string | null;
}

export interface HistoryEntry {
  changeId: string;
  /** ISO timestamp, database clock. */
  at: string;
  /** The same in the shop's zone, as every audit view writes it. */
  atText: string;
  action: 'create' | 'update' | 'delete';
  /** What the change is about: the record itself or one of its children. */
  record: RecordRef & { tableLabel: string; isSubject: boolean };
  actor: HistoryActor;
  ipAddress?: string | null;
  /** The full user agent, and the browser and system it names ("Chrome 156 on Linux"). */
  userAgent?: string | null;
  browser?: string | null;
  requestId: string | null;
  approvalId: number | null;
  /** For a change applied by an approval: the decider's electronic signature. */
  signature?: ApprovalSignature;
  changes: FieldChange[];
}

export interface ApprovalSignature {
  name: string;
  meaning: string;
  /** ISO timestamp. */
  signedAt: string | null;
  signedAtText: string | null;
}

export interface RecordHistory {
  subject: RecordRef & { tableLabel: string };
  entries: HistoryEntry[];
  limit: number;
  /** True when changes older than the last entry exist and were left out. */
  olderEntriesExist: boolean;
  includesNetwork: boolean;
  /** The zone the texts' times are in. */
  timeZone: string;
  /** The filter applied, as the page sends it back (field "table.field", user, ISO from/to). */
  filter: { field?: string; user?: string; from?: string; to?: string };
  facets?: HistoryFacets;
}
