-- Anchors: sign-offs of the audit chain. After `audit:verify` has verified the chain up to a
-- position, it records that position and the chain's hash there, who ran it and how; the next
-- `audit:verify --incremental` starts from the newest anchor instead of recomputing years of
-- history. The chain is hashed, not keyed (no secret exists anywhere in it), so an anchor carries
-- no MAC of its own: what makes it a sign-off is who may write one, that it can never change, and
-- that it must be the chain's own hash at its position, both when it is written and every time it
-- is used (src/audit/audit-anchor.service.ts).

CREATE TABLE audit_anchors (
  id                 integer     GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- The database's clock and login, set by the insert trigger whatever the writer sends.
  recorded_at        timestamptz NOT NULL DEFAULT now(),
  recorded_by        text        NOT NULL DEFAULT session_user,
  position           bigint      NOT NULL,
  chain_hash         bytea       NOT NULL,
  -- The horizon of the seal that ends at position: every audit row of an older transaction is
  -- chained at or before it, so an incremental run looks for missing rows only above it.
  txid_horizon       xid8        NOT NULL,
  -- The newest time chained up to position: back-dated rows after the anchor are measured from it.
  newest_occurred_at timestamptz NOT NULL,
  mode               text        NOT NULL,
  from_position      bigint      NOT NULL,
  rows_checked       bigint      NOT NULL,
  -- What ran the verification (command, operating-system user and host), as the command says.
  verified_with      text        NOT NULL,
  CONSTRAINT audit_anchors_position_positive CHECK (position > 0),
  CONSTRAINT audit_anchors_hash_length CHECK (length(chain_hash) = 32),
  CONSTRAINT audit_anchors_mode CHECK (mode IN ('full', 'incremental')),
  CONSTRAINT audit_anchors_stretch CHECK (from_position >= 0 AND from_position < position AND rows_checked = position - from_position),
  CONSTRAINT audit_anchors_verified_with_length CHECK (length(verified_with) BETWEEN 1 AND 500)
);

-- An anchor names a hash the chain holds: the chain entry at its position and the seal that ends
-- there both carry it. So even a writer allowed to insert cannot anchor a hash of its own making.
CREATE FUNCTION audit_anchors_match_chain() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
  seal record;
  chained timestamptz;
BEGIN
  NEW.recorded_at := now();
  NEW.recorded_by := session_user;
  SELECT s.txid_horizon, s.head_hash INTO seal FROM audit_seals s WHERE s.last_position = NEW.position ORDER BY s.id DESC LIMIT 1;
  SELECT c.audit_occurred_at INTO chained FROM audit_chain c WHERE c.position = NEW.position AND c.chain_hash = NEW.chain_hash;
  IF seal.head_hash IS DISTINCT FROM NEW.chain_hash OR chained IS NULL THEN
    RAISE EXCEPTION 'No anchor at chain position %: the chain and the seal ending there do not hold that hash', NEW.position
      USING ERRCODE = 'NXA04';
  END IF;
  IF NEW.newest_occurred_at < chained THEN
    RAISE EXCEPTION 'No anchor at chain position %: the newest time chained cannot be before the row chained there', NEW.position
      USING ERRCODE = 'NXA04';
  END IF;
  NEW.txid_horizon := seal.txid_horizon;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_anchors_match_chain BEFORE INSERT ON audit_anchors FOR EACH ROW EXECUTE FUNCTION audit_anchors_match_chain();
CREATE TRIGGER audit_anchors_append_only BEFORE UPDATE OR DELETE ON audit_anchors FOR EACH ROW EXECUTE FUNCTION audit_append_only();
CREATE TRIGGER audit_anchors_no_truncate BEFORE TRUNCATE ON audit_anchors FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only();

-- The one way an anchor is written. Only the owner may call it (the runtime login may not: an
-- anchor it could write would let a nightly check skip whatever it likes); as SECURITY DEFINER it
-- can be granted to a login of its own for verification, which then needs no INSERT on the table.
CREATE FUNCTION audit_anchor(p_position bigint, p_chain_hash bytea, p_newest_occurred_at timestamptz, p_mode text, p_from_position bigint, p_verified_with text)
RETURNS TABLE (id integer, recorded_at timestamptz, recorded_by text)
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  INSERT INTO audit_anchors (position, chain_hash, txid_horizon, newest_occurred_at, mode, from_position, rows_checked, verified_with)
  VALUES (p_position, p_chain_hash, '0'::xid8, p_newest_occurred_at, p_mode, p_from_position, p_position - p_from_position, p_verified_with)
  RETURNING audit_anchors.id, audit_anchors.recorded_at, audit_anchors.recorded_by
$$;

REVOKE ALL ON FUNCTION audit_anchor(bigint, bytea, timestamptz, text, bigint, text), audit_anchors_match_chain() FROM PUBLIC;
-- The app and its runtime login read anchors, as they read the chain and the seals; they write none.
GRANT SELECT ON audit_anchors TO ${app_role};
