// What the product promises, spelt out once for the tests that check it: never taken from the
// production constants that produce it, so a change to those fails a test instead of passing.

/** The tables whose every create, update and delete is written to the audit trail. */
export const AUDITED_TABLES: readonly string[] = [
  'approvals',
  'customers',
  'labor_entries',
  'mail_outbox',
  'manual_steps',
  'parts',
  'process_steps',
  'revisions',
  'sub_steps',
  'traveler_steps',
  'traveler_sub_steps',
  'travelers',
  'users',
  'work_centers',
  'work_orders',
];

/** The audit CSV's columns as a reader of the file meets them: the readable ones, then the stored ones. */
export const AUDIT_CSV_HEADER: readonly string[] = [
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
  'actor_kind',
  'actor_id',
  'actor_username',
  'actor_name',
  'actor_email',
  'ip_address',
  'user_agent',
  'request_id',
  'approval_id',
  'change_id',
  'details',
];
