-- The database stands behind the app: what was approved, who may decide, and the audit chain
-- hold even against a session of the runtime login (nexus_app) that bypasses the app. The owner
-- (whoever migrates: it owns every table and could drop any trigger) is trusted; the runtime
-- login is as trusted as the app, which is to say it may claim any user in nexus.actor, but it
-- cannot make an unapproved change look approved, decide a request against the rules, forge the
-- chain or rewrite a sign-in time.

-- ---------------------------------------------------------------- who is acting, to the database

-- True in a session of the tables' owner (migrations, seeders, maintenance, the SECURITY
-- DEFINER functions below) or a superuser; false for the runtime login.
CREATE FUNCTION nexus_owner_acting() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'public.users'::regclass), 'USAGE')
$$;

-- The user id the session claims in nexus.actor, or null.
CREATE FUNCTION nexus_actor_user_id() RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT CASE WHEN value ~ '^\s*\{' AND (value::jsonb->>'userId') ~ '^[0-9]{1,9}$' THEN (value::jsonb->>'userId')::integer END
    FROM (SELECT coalesce(current_setting('nexus.actor', true), '') AS value) s
$$;

-- ---------------------------------------------------------------- versions

-- Every UPDATE bumps a record's version, whoever writes it: an approval request or an open form
-- based on the old version is then stale, even after an UPDATE by raw SQL.
-- Trigger arguments name columns whose change alone is not a change of the record (a sign-in).
CREATE FUNCTION bump_version() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  ignored text[] := coalesce(TG_ARGV::text[], ARRAY[]::text[]);
BEGIN
  IF cardinality(ignored) > 0 AND (to_jsonb(NEW) - ignored - 'version') = (to_jsonb(OLD) - ignored - 'version') THEN
    RETURN NEW;
  END IF;
  NEW.version := OLD.version + 1;
  RETURN NEW;
END $$;

CREATE TRIGGER users_bump_version BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION bump_version('last_login_at', 'updated_at');
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['customers', 'work_centers', 'parts', 'revisions', 'process_steps', 'sub_steps',
                           'work_orders', 'travelers', 'traveler_steps', 'traveler_sub_steps', 'manual_steps',
                           'labor_entries', 'approvals']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION bump_version()', t || '_bump_version', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------- what a request is about

-- The content a request is about, hashed: for a traveler, the traveler with its steps, checks and
-- manual steps; for a revision, the revision with its routing and checks; otherwise the record
-- itself. A child's request (a traveler step) is about its parent's content. Any change between
-- request and decision changes the hash, and the request is stale.
CREATE FUNCTION approval_content_hash(p_table text, p_id integer, p_parent_table text, p_parent_id integer)
RETURNS bytea
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  -- A traveler or a revision is its own subject; a child of one is about its parent; anything else
  -- is about itself (or, for a create, its parent).
  about_self boolean := p_table IN ('travelers', 'revisions') OR (p_id IS NOT NULL AND coalesce(p_parent_table, '') NOT IN ('travelers', 'revisions'));
  subject_table text := CASE WHEN about_self THEN p_table ELSE p_parent_table END;
  subject_id integer := CASE WHEN about_self THEN p_id ELSE p_parent_id END;
  content jsonb;
BEGIN
  IF subject_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF subject_table = 'travelers' THEN
    SELECT jsonb_build_array(
             (SELECT to_jsonb(t) FROM travelers t WHERE t.id = subject_id),
             (SELECT jsonb_agg(to_jsonb(s) ORDER BY s.id) FROM traveler_steps s WHERE s.traveler_id = subject_id),
             (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.id) FROM traveler_sub_steps c JOIN traveler_steps s ON s.id = c.traveler_step_id WHERE s.traveler_id = subject_id),
             (SELECT jsonb_agg(to_jsonb(m) ORDER BY m.id) FROM manual_steps m WHERE m.traveler_id = subject_id))
      INTO content;
  ELSIF subject_table = 'revisions' THEN
    SELECT jsonb_build_array(
             (SELECT to_jsonb(r) FROM revisions r WHERE r.id = subject_id),
             (SELECT jsonb_agg(to_jsonb(p) ORDER BY p.id) FROM process_steps p WHERE p.revision_id = subject_id),
             (SELECT jsonb_agg(to_jsonb(c) ORDER BY c.id) FROM sub_steps c JOIN process_steps p ON p.id = c.process_step_id WHERE p.revision_id = subject_id))
      INTO content;
  ELSIF subject_table ~ '^[a-z_]+$' AND to_regclass(format('public.%I', subject_table)) IS NOT NULL THEN
    -- A sign-in is not a change of the account.
    EXECUTE format('SELECT to_jsonb(x) - ''last_login_at'' FROM %I x WHERE x.id = $1', subject_table) INTO content USING subject_id;
  END IF;
  RETURN sha256(convert_to(coalesce(content::text, 'null'), 'UTF8'));
END $$;

ALTER TABLE approvals
  ADD COLUMN content_hash bytea,
  ADD COLUMN applied_at timestamptz,
  ADD CONSTRAINT approvals_applied_only_approved CHECK (applied_at IS NULL OR status = 'approved');

-- Who may decide requests of each rule: the approvers of src/approvals/approval-policy.ts (a test
-- keeps the two equal). A rule no longer in the policy falls back to administrators.
CREATE FUNCTION approval_rule_deciders(p_rule text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_rule
    WHEN 'traveler.release' THEN ARRAY['approver', 'admin']
    WHEN 'traveler.locked_content' THEN ARRAY['approver', 'admin']
    WHEN 'traveler.steps' THEN ARRAY['approver', 'admin']
    WHEN 'traveler.sub_steps' THEN ARRAY['approver', 'admin']
    WHEN 'traveler.manual_step' THEN ARRAY['approver', 'admin']
    WHEN 'revision.release' THEN ARRAY['approver', 'quality', 'admin']
    WHEN 'routing.released_revision' THEN ARRAY['approver', 'quality', 'admin']
    WHEN 'routing.released_revision_checks' THEN ARRAY['approver', 'quality', 'admin']
    WHEN 'user.role' THEN ARRAY['admin']
    WHEN 'user.reactivate' THEN ARRAY['admin']
    ELSE ARRAY['admin']
  END
$$;

-- The request being applied in this transaction: the one nexus.approval_id names, approved and
-- not yet applied. Anything else in the setting names nothing.
CREATE FUNCTION nexus_current_approval() RETURNS integer
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT a.id FROM approvals a
   WHERE a.id = CASE WHEN current_setting('nexus.approval_id', true) ~ '^[0-9]{1,9}$' THEN current_setting('nexus.approval_id', true)::integer END
     AND a.status = 'approved' AND a.applied_at IS NULL
$$;

-- Whether the request being applied is about this traveler (the traveler itself, or a child of it).
CREATE FUNCTION nexus_applying_approval_for_traveler(p_traveler_id integer) RETURNS boolean
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT EXISTS (
    SELECT 1 FROM approvals a
     WHERE a.id = nexus_current_approval()
       AND ((a.target_table = 'travelers' AND a.target_id = p_traveler_id)
         OR (a.parent_table = 'travelers' AND a.parent_id = p_traveler_id)))
$$;

-- The content guard of a released traveler now asks for the request about this traveler, not
-- for any text in nexus.approval_id.
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
  IF NOT nexus_applying_approval_for_traveler(p_traveler_id) THEN
    RAISE EXCEPTION 'Traveler % is %: changing its % needs an approved change request for this traveler', t.number, replace(t.status, '_', ' '), p_what
      USING ERRCODE = 'NXT02';
  END IF;
END $$;

DROP FUNCTION nexus_applying_approval();

-- Releasing a draft is an approved request's to do (or the owner's: seeders, repairs).
CREATE FUNCTION travelers_release_needs_approval() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status = 'draft' AND NEW.status = 'released'
     AND NOT nexus_applying_approval_for_traveler(OLD.id) AND NOT nexus_owner_acting() THEN
    RAISE EXCEPTION 'Traveler % can be released only by an approved release request', OLD.number USING ERRCODE = 'NXT01';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER travelers_release_needs_approval BEFORE UPDATE OF status ON travelers
  FOR EACH ROW EXECUTE FUNCTION travelers_release_needs_approval();

-- ---------------------------------------------------------------- requests and decisions

-- A request starts pending and undecided, asked by the acting user; its content hash is the
-- database's. A decision comes only from pending, by an active user whose role may decide the
-- rule, never the requester, signed with that user's name, on content unchanged since the
-- request. The only change after a decision is marking an approved request applied, once.
CREATE OR REPLACE FUNCTION approvals_transition_allowed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  decider record;
  owner boolean := nexus_owner_acting();
BEGIN
  IF TG_OP = 'INSERT' THEN
    NEW.content_hash := approval_content_hash(NEW.target_table, NEW.target_id, NEW.parent_table, NEW.parent_id);
    -- The owner loads requests as they were (restores, fixtures); everyone else asks anew.
    IF owner THEN
      RETURN NEW;
    END IF;
    IF NEW.status <> 'pending' OR NEW.decided_by_id IS NOT NULL OR NEW.decided_at IS NOT NULL OR NEW.signature_name IS NOT NULL
       OR NEW.signature_meaning IS NOT NULL OR NEW.signed_at IS NOT NULL OR NEW.applied_at IS NOT NULL OR NEW.applied_record_id IS NOT NULL THEN
      RAISE EXCEPTION 'A new approval request starts pending, undecided and unsigned' USING ERRCODE = 'NXP01';
    END IF;
    IF NEW.requested_by_id IS DISTINCT FROM nexus_actor_user_id() THEN
      RAISE EXCEPTION 'An approval request is asked by the user making it (nexus.actor)' USING ERRCODE = 'NXP01';
    END IF;
    RETURN NEW;
  END IF;

  IF NEW.content_hash IS DISTINCT FROM OLD.content_hash THEN
    RAISE EXCEPTION 'What a request is about is fixed when it is made' USING ERRCODE = 'NXP01';
  END IF;
  IF OLD.status = 'approved' AND OLD.applied_at IS NULL AND NEW.applied_at IS NOT NULL THEN
    -- Marking it applied, and nothing else.
    IF (to_jsonb(NEW) - ARRAY['applied_at', 'applied_record_id', 'version', 'updated_at']) <> (to_jsonb(OLD) - ARRAY['applied_at', 'applied_record_id', 'version', 'updated_at']) THEN
      RAISE EXCEPTION 'Approval request % is approved: only its application is recorded now', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    RETURN NEW;
  END IF;
  IF OLD.status <> 'pending' THEN
    RAISE EXCEPTION 'Approval request % is already %: it cannot change any more', OLD.id, OLD.status
      USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status NOT IN ('pending', 'approved', 'rejected', 'withdrawn', 'stale') THEN
    RAISE EXCEPTION 'Unknown approval status %', NEW.status USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status = 'pending' AND (NEW.changes IS DISTINCT FROM OLD.changes OR NEW.target_id IS DISTINCT FROM OLD.target_id
       OR NEW.requested_by_id IS DISTINCT FROM OLD.requested_by_id OR NEW.base_version IS DISTINCT FROM OLD.base_version
       OR NEW.target_table IS DISTINCT FROM OLD.target_table OR NEW.rule IS DISTINCT FROM OLD.rule OR NEW.operation IS DISTINCT FROM OLD.operation) THEN
    RAISE EXCEPTION 'A pending approval request cannot be edited; withdraw it and ask again' USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status <> 'pending' AND (NEW.changes IS DISTINCT FROM OLD.changes OR NEW.target_id IS DISTINCT FROM OLD.target_id
       OR NEW.requested_by_id IS DISTINCT FROM OLD.requested_by_id OR NEW.target_table IS DISTINCT FROM OLD.target_table
       OR NEW.rule IS DISTINCT FROM OLD.rule OR NEW.operation IS DISTINCT FROM OLD.operation) THEN
    RAISE EXCEPTION 'A decision does not change what was asked' USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.applied_at IS NOT NULL THEN
    RAISE EXCEPTION 'A request is marked applied after it was approved' USING ERRCODE = 'NXP01';
  END IF;
  IF NEW.status = 'withdrawn' THEN
    IF NEW.decided_by_id IS NOT NULL THEN
      RAISE EXCEPTION 'Only the requester withdraws a request' USING ERRCODE = 'NXP01';
    END IF;
    IF NOT owner AND nexus_actor_user_id() IS DISTINCT FROM OLD.requested_by_id THEN
      RAISE EXCEPTION 'Only the requester withdraws a request' USING ERRCODE = 'NXP01';
    END IF;
  END IF;
  IF NEW.status IN ('approved', 'rejected') THEN
    SELECT id, role, active, full_name, must_change_password INTO decider FROM users WHERE id = NEW.decided_by_id;
    IF NOT FOUND OR NOT decider.active THEN
      RAISE EXCEPTION 'Request % must be decided by an active user', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    IF decider.must_change_password THEN
      RAISE EXCEPTION 'Request % cannot be signed with a password someone else set: its holder chooses their own first', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    IF decider.id = OLD.requested_by_id THEN
      RAISE EXCEPTION 'Nobody decides their own request (request %)', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    IF NOT decider.role = ANY (approval_rule_deciders(OLD.rule)) THEN
      RAISE EXCEPTION 'A % may not decide requests of rule %', decider.role, coalesce(OLD.rule, '(none)') USING ERRCODE = 'NXP01';
    END IF;
    IF NEW.signature_name IS DISTINCT FROM decider.full_name THEN
      RAISE EXCEPTION 'The signature of request % must be the decider''s printed name', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    IF NOT owner AND nexus_actor_user_id() IS DISTINCT FROM decider.id THEN
      RAISE EXCEPTION 'Request % is decided by the user acting (nexus.actor)', OLD.id USING ERRCODE = 'NXP01';
    END IF;
    IF NEW.status = 'approved'
       AND approval_content_hash(OLD.target_table, OLD.target_id, OLD.parent_table, OLD.parent_id) IS DISTINCT FROM OLD.content_hash THEN
      RAISE EXCEPTION 'Request % is stale: what it is about changed after it was made', OLD.id USING ERRCODE = 'NXP02';
    END IF;
  END IF;
  RETURN NEW;
END $$;

DROP TRIGGER approvals_transition_allowed ON approvals;
CREATE TRIGGER approvals_transition_allowed BEFORE INSERT OR UPDATE ON approvals
  FOR EACH ROW EXECUTE FUNCTION approvals_transition_allowed();

-- The audit trail cites the request being applied, never whatever the setting holds.
CREATE OR REPLACE FUNCTION audit_row_change() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  actor jsonb := audit_current_actor();
  change uuid := gen_random_uuid();
  old_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'DELETE') THEN to_jsonb(OLD) ELSE '{}'::jsonb END;
  new_row jsonb := CASE WHEN TG_OP IN ('UPDATE', 'INSERT') THEN to_jsonb(NEW) ELSE '{}'::jsonb END;
  record_key text := coalesce(new_row->>'id', old_row->>'id');
  op text := lower(TG_OP);
  approval integer := nexus_current_approval();
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

-- ---------------------------------------------------------------- passwords set by someone else

-- A password an administrator set is a one-time password: its holder chooses their own at the
-- next sign-in, and until then signs nothing (21 CFR 11.300).
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- ---------------------------------------------------------------- sign-in times

-- When someone last signed in is written by the sign-in alone (users_record_sign_in, as the
-- owner), never by an edit: the runtime login cannot rewrite it.
CREATE FUNCTION users_last_login_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.last_login_at IS DISTINCT FROM OLD.last_login_at AND NOT nexus_owner_acting() THEN
    RAISE EXCEPTION 'The last sign-in time is recorded by signing in, not edited' USING ERRCODE = 'NXA03';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER users_last_login_guard BEFORE UPDATE ON users
  FOR EACH ROW EXECUTE FUNCTION users_last_login_guard();

CREATE FUNCTION users_record_sign_in(p_user_id integer) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE users SET last_login_at = now() WHERE id = p_user_id AND active
$$;

-- ---------------------------------------------------------------- the chain's only writer

-- How far a row's time may lie before the newest time already chained: transactions commit out
-- of order (a row carries its transaction's start), so a long writing transaction's rows come
-- after later ones. A row older than this is flagged as out of order (back-dated).
CREATE FUNCTION audit_clock_tolerance() RETURNS interval
LANGUAGE sql IMMUTABLE AS $$ SELECT interval '15 minutes' $$;

ALTER TABLE audit_seals ADD COLUMN out_of_order_rows integer NOT NULL DEFAULT 0,
  ADD CONSTRAINT audit_seals_out_of_order_nonnegative CHECK (out_of_order_rows >= 0);

-- Appends to the chain every audit row whose transaction has ended since the last seal (their
-- txid is below the xmin of this snapshot), in id order, and records the seal. The only way rows
-- reach audit_chain and audit_seals: the runtime login may call it, not insert there itself.
CREATE FUNCTION audit_seal()
RETURNS TABLE (rows_sealed integer, last_position bigint, head_hash bytea, txid_horizon xid8, out_of_order integer)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  last_seal record;
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
  from_txid xid8;
  pos bigint;
  head bytea;
  newest timestamptz;
  sealed integer := 0;
  flagged integer := 0;
  r record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('nexus.audit.seal'));
  SELECT s.txid_horizon, s.last_position, s.head_hash INTO last_seal FROM audit_seals s ORDER BY s.id DESC LIMIT 1;
  from_txid := coalesce(last_seal.txid_horizon, '0'::xid8);
  pos := coalesce(last_seal.last_position, 0);
  head := coalesce(last_seal.head_hash, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  SELECT max(c.audit_occurred_at) INTO newest FROM audit_chain c WHERE c.position > pos - 1000;
  FOR r IN
    SELECT a.id, a.occurred_at, audit_row_hash(a) AS h
      FROM audit_logs a
     WHERE a.txid >= from_txid AND a.txid < horizon
     ORDER BY a.id
  LOOP
    pos := pos + 1;
    head := sha256(head || r.h);
    INSERT INTO audit_chain (position, audit_id, audit_occurred_at, row_hash, chain_hash) VALUES (pos, r.id, r.occurred_at, r.h, head);
    IF newest IS NOT NULL AND r.occurred_at < newest - audit_clock_tolerance() THEN
      flagged := flagged + 1;
    END IF;
    newest := greatest(newest, r.occurred_at);
    sealed := sealed + 1;
  END LOOP;
  -- A run that found nothing records nothing: the next one scans from the same horizon, and no
  -- row can appear below a horizon once it has passed.
  IF sealed > 0 THEN
    INSERT INTO audit_seals (txid_horizon, last_position, rows_sealed, head_hash, out_of_order_rows)
      VALUES (horizon, pos, sealed, head, flagged);
  END IF;
  RETURN QUERY SELECT sealed, pos, CASE WHEN pos > 0 THEN head END, horizon, flagged;
END $$;

REVOKE INSERT ON audit_chain, audit_seals FROM ${app_role};
REVOKE ALL ON FUNCTION audit_seal(), users_record_sign_in(integer), approval_content_hash(text, integer, text, integer),
  nexus_current_approval(), nexus_applying_approval_for_traveler(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_seal(), users_record_sign_in(integer), approval_content_hash(text, integer, text, integer),
  nexus_current_approval(), nexus_applying_approval_for_traveler(integer) TO ${app_role};

-- ---------------------------------------------------------------- archives keep their guard

-- A detached partition loses the row triggers it had as a partition: archives get their own, so
-- an archived month is as append-only as a live one.
CREATE OR REPLACE FUNCTION archive_audit_log_partitions(before_month date)
RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  p record;
  rows_in bigint;
  archived integer := 0;
BEGIN
  IF before_month > date_trunc('month', now())::date THEN
    RAISE EXCEPTION 'Archiving stops at this month: % is in the future', to_char(before_month, 'YYYY-MM') USING ERRCODE = '22023';
  END IF;
  FOR p IN
    SELECT c.relname AS name,
           (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'FROM \(''([^'']+)''\) TO \(''([^'']+)''\)')) AS bounds
      FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
     WHERE i.inhparent = 'audit_logs'::regclass AND c.relname <> 'audit_logs_default'
  LOOP
    CONTINUE WHEN p.bounds IS NULL OR p.bounds[2]::timestamptz > before_month::timestamptz;
    EXECUTE format('SELECT count(*) FROM %I', p.name) INTO rows_in;
    EXECUTE format('ALTER TABLE audit_logs DETACH PARTITION %I', p.name);
    EXECUTE format('CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit_append_only()', p.name);
    INSERT INTO audit_archives (table_name, range_from, range_to, row_count)
      VALUES (p.name, p.bounds[1]::timestamptz, p.bounds[2]::timestamptz, rows_in);
    archived := archived + 1;
  END LOOP;
  RETURN archived;
END $$;

-- Archives made before this migration get their guard now.
DO $$
DECLARE
  a record;
BEGIN
  FOR a IN SELECT table_name FROM audit_archives WHERE to_regclass(format('public.%I', table_name)) IS NOT NULL LOOP
    EXECUTE format('CREATE TRIGGER audit_archive_append_only BEFORE UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION audit_append_only()', a.table_name);
  END LOOP;
END $$;
