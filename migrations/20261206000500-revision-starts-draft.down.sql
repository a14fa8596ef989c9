DROP TRIGGER revisions_start_draft ON revisions;
DROP FUNCTION revision_starts_draft();
