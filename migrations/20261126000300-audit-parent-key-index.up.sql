-- A traveler's history includes its steps, sub-steps, manual steps and labor, also those since
-- deleted; they are found through the audit rows that set their parent key. Without this index
-- that search reads every audit row of the child table.
CREATE INDEX audit_logs_parent_key_idx ON audit_logs (table_name, field_name, new_value)
  WHERE field_name IN ('traveler_id', 'traveler_step_id');
