DROP INDEX audit_logs_parent_key_idx;
