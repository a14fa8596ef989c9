-- A revision is made as a draft: one made released or obsolete would skip Release, its checks
-- (a routing, an effective date) and the second person's signature the approval policy asks for.
-- The model says so at the Status field; this holds for every writer, scripts and raw SQL
-- included. An unknown status is left to the CHECK constraint, which names itself.
CREATE FUNCTION revision_starts_draft() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.status IN ('released', 'obsolete') THEN
    RAISE EXCEPTION 'A new revision starts as a draft, not %', NEW.status USING ERRCODE = 'NXT01';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER revisions_start_draft BEFORE INSERT ON revisions
  FOR EACH ROW EXECUTE FUNCTION revision_starts_draft();
