-- The grants stay with this database's own roles: the earlier migrations' undo revokes them from
-- there (the migrator keeps writing the same names after this table is gone).
DROP TABLE nexus_roles;
DROP FUNCTION nexus_move_grants(text, text);
