DROP TRIGGER mail_outbox_no_truncate ON mail_outbox;
DROP TRIGGER mail_outbox_audit ON mail_outbox;
DROP TABLE mail_outbox;
DROP TRIGGER approvals_transition_allowed ON approvals;
DROP FUNCTION approvals_transition_allowed();
DROP INDEX approvals_pending_idx;
DROP INDEX approvals_parent_idx;
ALTER TABLE approvals
  DROP CONSTRAINT approvals_requested_before_decided,
  DROP CONSTRAINT approvals_rule_format,
  DROP CONSTRAINT approvals_rejection_has_reason,
  DROP CONSTRAINT approvals_decision_signed,
  DROP CONSTRAINT approvals_signature_meaning_valid,
  DROP CONSTRAINT approvals_parent_pair,
  DROP CONSTRAINT approvals_target_for_existing_records,
  DROP COLUMN signed_at,
  DROP COLUMN signature_meaning,
  DROP COLUMN signature_name,
  DROP COLUMN applied_record_id,
  DROP COLUMN summary,
  DROP COLUMN rule,
  DROP COLUMN parent_id,
  DROP COLUMN parent_table;
-- Requests to create records have no target id and cannot survive the old shape.
DELETE FROM approvals WHERE target_id IS NULL;
ALTER TABLE approvals ALTER COLUMN target_id SET NOT NULL;
