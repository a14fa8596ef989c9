-- Undoes 20261206000100-database-guards: the guards go, the earlier functions come back as they were.

DO $$
DECLARE
  a record;
BEGIN
  FOR a IN SELECT table_name FROM audit_archives WHERE to_regclass(format('public.%I', table_name)) IS NOT NULL LOOP
    EXECUTE format('DROP TRIGGER IF EXISTS audit_archive_append_only ON %I', a.table_name);
  END LOOP;
END $$;

CREATE OR REPLACE FUNCTION archive_audit_log_partitions(before_month date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  p record;
  rows_in bigint;
  archived integer := 0;
BEGIN
  FOR p IN
    SELECT c.relname AS name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)')) AS bounds
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_logs'::regclass AND c.relname <> 'audit_logs_default'
  LOOP
    CONTINUE WHEN p.bounds IS NULL OR p.bounds[2]::timestamptz > before_month::timestamptz;
    EXECUTE format('SELECT count(*) FROM %I', p.name) INTO rows_in;
    EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', p.name);
    INSERT INTO audit_archives (table_name, range_from, range_to, row_count)
      VALUES (p.name, p.bounds[1]::timestamptz, p.bounds[2]::timestamptz, rows_in);
    archived := archived + 1;
  END LOOP;
  RETURN archived;
END $$;

GRANT INSERT ON audit_chain, audit_seals TO ${app_role};
DROP FUNCTION audit_seal();
ALTER TABLE audit_seals DROP CONSTRAINT audit_seals_out_of_order_nonnegative, DROP COLUMN out_of_order_rows;
DROP FUNCTION audit_clock_tolerance();

DROP FUNCTION users_record_sign_in(integer);
ALTER TABLE users DROP COLUMN must_change_password;
DROP TRIGGER users_last_login_guard ON users;
DROP FUNCTION users_last_login_guard();

CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  actor jsonb := audit_current_actor();
  change uuid := gen_random_uuid();
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) ELSE '{}'::jsonb END;
  new_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN to_jsonb(NEW) ELSE '{}'::jsonb END;
  record_key text := coalesce(new_row->>'id', old_row->>'id');
  op text := lower(TG_OP);
  approval integer := nullif(current_setting('nexus.approval_id', true), '')::integer;
  skipped text[] := ARRAY['created_at', 'updated_at', 'version'] || coalesce(TG_ARGV::text[], ARRAY[]::text[]);
  key text;
  field text;
  old_value text;
  new_value text;
BEGIN
  IF actor->>'kind' = 'anonymous' THEN
    RAISE EXCEPTION 'NEXUS audit trail: an anonymous actor cannot change %', TG_TABLE_NAME USING ERRCODE = 'NXA01';
  END IF;
  op := CASE op WHEN 'insert' THEN 'create' ELSE op END;
  FOR key IN SELECT k FROM jsonb_object_keys(old_row || new_row) AS k ORDER BY k LOOP
    CONTINUE WHEN key = ANY (skipped);
    old_value := old_row->>key;
    new_value := new_row->>key;
    CONTINUE WHEN op = 'update' AND old_value IS NOT DISTINCT FROM new_value;
    CONTINUE WHEN op = 'create' AND new_value IS NULL;
    CONTINUE WHEN op = 'delete' AND old_value IS NULL;
    field := key;
    IF key = 'password_hash' THEN
      field := 'password';
      old_value := CASE WHEN old_value IS NULL THEN NULL ELSE '(previous password)' END;
      new_value := CASE WHEN new_value IS NULL THEN NULL ELSE '(new password set)' END;
    END IF;
    INSERT INTO audit_logs (change_id, action, table_name, record_id, field_name, old_value, new_value,
                            actor_kind, actor_id, actor_username, actor_name, actor_email,
                            ip_address, user_agent, request_id, approval_id)
    VALUES (change, op, TG_TABLE_NAME, record_key, field, old_value, new_value,
            actor->>'kind', (actor->>'userId')::integer, audit_actor_username(actor), actor->>'fullName', actor->>'email',
            (actor->>'ip')::inet, left(actor->>'userAgent', 512), left(coalesce(actor->>'requestId', current_setting('nexus.request_id', true)), 64),
            approval);
  END LOOP;
  RETURN NULL;
END $$;

DROP TRIGGER approvals_transition_allowed ON approvals;
CREATE OR REPLACE FUNCTION approvals_transition_allowed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'Approval request % is already %: it cannot change any more', OLD.id, OLD.status
      USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status NOT IN ('pending', 'approved', 'rejected', 'withdrawn', 'stale') THEN
    RAISE EXCEPTION 'Unknown approval status %', NEW.status USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status = 'pending' AND (NEW.changes IS DISTINCT FROM OLD.changes OR NEW.target_id IS DISTINCT FROM OLD.target_id
       OR NEW.requested_by_id IS DISTINCT FROM OLD.requested_by_id OR NEW.base_version IS DISTINCT FROM OLD.base_version) THEN
    RAISE EXCEPTION 'A pending approval request cannot be edited; withdraw it and ask again' USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status = 'withdrawn' AND NEW.decided_by_id IS NOT NULL THEN
    RAISE EXCEPTION 'Only the requester withdraws a request' USING ERRCODE = 'NXP01';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER approvals_transition_allowed BEFORE UPDATE ON approvals
  FOR EACH ROW EXECUTE FUNCTION approvals_transition_allowed();

DROP TRIGGER travelers_release_needs_approval ON travelers;
DROP FUNCTION travelers_release_needs_approval();

CREATE FUNCTION nexus_applying_approval() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('nexus.approval_id', true), ''), '') <> ''
$$;

CREATE OR REPLACE FUNCTION traveler_content_guard(p_traveler_id integer, p_what text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
BEGIN
  SELECT number, status INTO t FROM travelers WHERE id = p_traveler_id;
  IF NOT FOUND OR t.status = 'draft' THEN
    RETURN;
  END IF;
  IF t.status IN ('completed', 'cancelled') THEN
    RAISE EXCEPTION 'Traveler % is %: it is a closed record and its % cannot change', t.number, t.status, p_what
      USING ERRCODE = 'NXT02';
  END IF;
  IF NOT nexus_applying_approval() THEN
    RAISE EXCEPTION 'Traveler % is %: changing its % needs an approved change request', t.number, replace(t.status, '_', ' '), p_what
      USING ERRCODE = 'NXT02';
  END IF;
END $$;

DROP FUNCTION nexus_applying_approval_for_traveler(integer);
DROP FUNCTION nexus_current_approval();
DROP FUNCTION approval_rule_deciders(text);
ALTER TABLE approvals DROP CONSTRAINT approvals_applied_only_approved, DROP COLUMN applied_at, DROP COLUMN content_hash;
DROP FUNCTION approval_content_hash(text, integer, text, integer);

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'work_centers', 'parts', 'revisions', 'process_steps', 'sub_steps',
                           'work_orders', 'travelers', 'traveler_steps', 'traveler_sub_steps', 'manual_steps',
                           'labor_entries', 'approvals']
  LOOP
    EXECUTE format('DROP TRIGGER %I ON %I', t || '_bump_version', t);
  END LOOP;
END $$;
DROP TRIGGER users_bump_version ON users;
DROP FUNCTION bump_version();

DROP FUNCTION nexus_actor_user_id();
DROP FUNCTION nexus_owner_acting();
