import type { ApprovalSubject } from '../approvals/approval-subject.service.js';

// The approval request page's data as the server sends it (resources/approval-subject.action.ts
// builds it, panel/components/approval-changes.tsx shows it).

/** A record a request names, by its full title, with its page when the reader may open it. */
export interface RequestRecord {
  kind: string;
  title: string;
  href: string | null;
  exists: boolean;
}

/** One requested field change, with the values as people read them (references by their titles). */
export interface RequestedChange {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

/** What the request page shows besides the request's own fields; internal ids stay in the record's data. */
export interface ApprovalView {
  /** "Releasing a traveler to the floor". */
  what: string;
  operation: 'create' | 'update' | 'delete';
  /** What kind of record the change is made to ("Routing check"), also for one the request would create. */
  kind: string;
  /** The record the change is made to (null for a record the request would create). */
  record: RequestRecord | null;
  /** What that record belongs to, when it is a step or a check: the traveler or the revision. */
  parent: RequestRecord | null;
  /** The record an approved "create" made. */
  created: RequestRecord | null;
  changes: RequestedChange[];
  subject: ApprovalSubject | null;
}
