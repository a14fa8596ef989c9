DROP TRIGGER audit_seals_record_months ON audit_seals;
DROP FUNCTION audit_record_months_on_seal();
DROP FUNCTION audit_record_months_add(xid8, xid8);
DROP TABLE audit_record_months_progress;
DROP TABLE audit_record_months;
