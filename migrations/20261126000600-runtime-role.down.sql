-- ${app_role} and ${runtime_role} are this database's own roles (named after it, see
-- src/db/database-roles.ts), so the membership revoked here is no other database's; the roles
-- themselves are kept (dropping them needs CREATEROLE, and a DBA may have made them). REVOKE CREATE ON SCHEMA public is PostgreSQL 15's default and is
-- not undone. The table grants restated by the up migration were already in place before it.
REVOKE ${app_role} FROM ${runtime_role};
