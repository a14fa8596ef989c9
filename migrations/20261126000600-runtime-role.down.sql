-- Roles and their memberships are cluster-wide and other databases of the cluster may rely on
-- them: nexus_runtime is kept. REVOKE CREATE ON SCHEMA public is PostgreSQL 15's default and is
-- not undone. The table grants restated by the up migration were already in place before it.
REVOKE nexus_app FROM nexus_runtime;
