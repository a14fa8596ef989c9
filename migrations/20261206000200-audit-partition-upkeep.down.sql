DROP FUNCTION audit_adopt_default_rows();
