DROP FUNCTION audit_anchor(bigint, bytea, timestamptz, text, bigint, text);
DROP TABLE audit_anchors;
DROP FUNCTION audit_anchors_match_chain();
