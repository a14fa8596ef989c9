-- The audit trigger as it was: one INSERT per changed field, the approval always asked for.
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
