import { isAdmin, type ResourceId, type SessionUser } from './access-rules.js';

/**
 * What a person may set in each table through the generic create and edit, said once: the
 * panel's forms show these fields (editProperties), and the record service refuses any other
 * field that would change (a key, a foreign key the role may not choose, bookkeeping such as
 * created_at, last_login_at or version, a column a workflow owns). Fields not listed are never
 * taken from a form; scripts acting as a system actor are not held to this list.
 */
export const WRITABLE_FIELDS = {
  users: ['username', 'full_name', 'email', 'role', 'active', 'password'],
  customers: ['code', 'name', 'contact_name', 'email', 'phone', 'address', 'active'],
  work_centers: ['code', 'name', 'description', 'active'],
  parts: ['part_number', 'description', 'customer_id', 'unit_of_measure', 'active'],
  revisions: ['part_id', 'revision_code', 'effective_date', 'notes'],
  process_steps: ['revision_id', 'step_number', 'operation', 'work_center_id', 'instructions', 'estimated_hours', 'is_parallel'],
  sub_steps: ['process_step_id', 'sequence', 'description', 'requires_measurement', 'lower_limit', 'upper_limit', 'unit'],
  work_orders: ['number', 'customer_id', 'part_id', 'revision_id', 'quantity', 'due_date', 'priority', 'status', 'notes'],
  travelers: ['number', 'work_order_id', 'part_id', 'revision_id', 'quantity', 'due_date', 'notes'],
  traveler_steps: ['traveler_id', 'step_number', 'operation', 'work_center_id', 'instructions', 'estimated_hours', 'is_parallel'],
  traveler_sub_steps: ['traveler_step_id', 'sequence', 'description', 'requires_measurement', 'unit', 'lower_limit', 'upper_limit'],
  manual_steps: ['traveler_id', 'after_step_number', 'operation', 'work_center_id', 'instructions', 'reason', 'estimated_hours'],
  labor_entries: ['user_id', 'traveler_id', 'traveler_step_id', 'manual_step_id', 'started_at', 'ended_at', 'entry_type', 'reason'],
  approvals: [],
  audit_logs: [],
  mail_outbox: [],
} as const satisfies Record<ResourceId, readonly string[]>;

/** Inputs that are not columns but travel with a change: the requester's reason for an approver. */
export const CHANGE_META_FIELDS = new Set(['change_reason']);

/**
 * Values a role may give a writable field: true, or why not. Checked on the value that would be
 * saved, in the service, whatever sent it.
 */
type ValueRule = (user: SessionUser, value: unknown) => true | string;

export const FIELD_VALUE_RULES: Partial<Record<ResourceId, Record<string, ValueRule>>> = {
  labor_entries: {
    // Operator-owns-labor-entry (access-rules.ts canEditLaborEntry) for the entry being written.
    user_id: (user, value) =>
      isAdmin(user) ||
      value === null ||
      value === undefined ||
      Number(value) === user.id ||
      'Operators record their own labor: only an administrator enters it for someone else.',
  },
};

export function isWritableField(table: ResourceId, field: string): boolean {
  return (WRITABLE_FIELDS[table] as readonly string[]).includes(field);
}
