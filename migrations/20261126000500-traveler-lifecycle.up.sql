-- Traveler lifecycle: which states follow which, what a released traveler may no longer change
-- without an approved request, the order in which steps are worked, measurements out of limits
-- and their dispositions, and clocking in. The services check all of this first and say why;
-- these triggers make the same rules hold for every writer (raw SQL included).

-- ---------------------------------------------------------------- the customer on the traveler

-- A traveler names its customer (printed in its header); it always is its work order's customer,
-- and follows the work order if that is corrected.
ALTER TABLE work_orders ADD CONSTRAINT work_orders_id_customer_key UNIQUE (id, customer_id);
ALTER TABLE travelers ADD COLUMN customer_id integer;
UPDATE travelers t SET customer_id = w.customer_id FROM work_orders w WHERE w.id = t.work_order_id;
ALTER TABLE travelers
  ALTER COLUMN customer_id SET NOT NULL,
  ADD CONSTRAINT travelers_customer_fkey FOREIGN KEY (customer_id) REFERENCES customers (id) ON DELETE RESTRICT,
  ADD CONSTRAINT travelers_work_order_customer_fkey FOREIGN KEY (work_order_id, customer_id)
    REFERENCES work_orders (id, customer_id) ON UPDATE CASCADE ON DELETE RESTRICT;
CREATE INDEX travelers_customer_id_idx ON travelers (customer_id);

-- Why a traveler was put on hold or cancelled (the audit trail keeps every earlier reason).
ALTER TABLE travelers ADD COLUMN status_reason text;
UPDATE travelers SET status_reason = coalesce(notes, 'Recorded before reasons were kept')
 WHERE status IN ('on_hold', 'cancelled') AND status_reason IS NULL;
ALTER TABLE travelers
  ADD CONSTRAINT travelers_status_reason_length CHECK (status_reason IS NULL OR length(btrim(status_reason)) >= 3),
  ADD CONSTRAINT travelers_hold_cancel_has_reason CHECK (status NOT IN ('on_hold', 'cancelled') OR status_reason IS NOT NULL);

-- ---------------------------------------------------------------- measurements and dispositions

ALTER TABLE traveler_sub_steps
  ADD COLUMN out_of_limits boolean GENERATED ALWAYS AS (
    measured_value IS NOT NULL AND (
      (lower_limit IS NOT NULL AND measured_value < lower_limit) OR
      (upper_limit IS NOT NULL AND measured_value > upper_limit))) STORED,
  ADD COLUMN disposition varchar(12),
  ADD COLUMN disposition_note text,
  ADD COLUMN disposition_by_id integer REFERENCES users (id) ON DELETE RESTRICT,
  ADD COLUMN disposition_at timestamptz,
  ADD CONSTRAINT traveler_sub_steps_disposition_valid CHECK (disposition IS NULL OR disposition IN ('use_as_is', 'repair', 'scrap')),
  -- A disposition is quality's signed decision: who, when and why, together.
  ADD CONSTRAINT traveler_sub_steps_disposition_signed CHECK (
    (disposition IS NULL) = (disposition_by_id IS NULL) AND (disposition IS NULL) = (disposition_at IS NULL)
    AND (disposition IS NULL OR length(btrim(coalesce(disposition_note, ''))) >= 3)),
  -- Only a measurement outside its limits is dispositioned.
  ADD CONSTRAINT traveler_sub_steps_disposition_for_deviation CHECK (
    disposition IS NULL OR (measured_value IS NOT NULL AND (
      (lower_limit IS NOT NULL AND measured_value < lower_limit) OR
      (upper_limit IS NOT NULL AND measured_value > upper_limit))));
CREATE INDEX traveler_sub_steps_disposition_by_id_idx ON traveler_sub_steps (disposition_by_id);
CREATE INDEX traveler_sub_steps_traveler_step_id_idx ON traveler_sub_steps (traveler_step_id);

-- ---------------------------------------------------------------- helpers

-- The approval request being applied in this transaction, if any (set by the approval service).
CREATE FUNCTION nexus_applying_approval() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(nullif(current_setting('nexus.approval_id', true), ''), '') <> ''
$$;

-- Refuses a change to the content of a traveler that is no longer a draft, unless an approved
-- request is being applied; a completed or cancelled traveler is closed for good.
CREATE FUNCTION traveler_content_guard(p_traveler_id integer, p_what text) RETURNS void
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

-- ---------------------------------------------------------------- traveler states

CREATE FUNCTION traveler_allowed_transitions(p_status text) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE p_status
    WHEN 'draft'       THEN ARRAY['released', 'cancelled']
    WHEN 'released'    THEN ARRAY['in_progress', 'on_hold', 'cancelled']
    WHEN 'in_progress' THEN ARRAY['on_hold', 'completed', 'cancelled']
    WHEN 'on_hold'     THEN ARRAY['released', 'in_progress', 'cancelled']
    ELSE ARRAY[]::text[]
  END
$$;

CREATE FUNCTION traveler_open_steps(p_traveler_id integer) RETURNS integer
LANGUAGE sql STABLE AS $$
  SELECT (SELECT count(*) FROM traveler_steps WHERE traveler_id = p_traveler_id AND status <> 'completed')::integer
       + (SELECT count(*) FROM manual_steps WHERE traveler_id = p_traveler_id AND status <> 'completed')::integer
$$;

CREATE FUNCTION travelers_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  allowed text[];
  open_steps integer;
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'draft' THEN
      RAISE EXCEPTION 'Traveler % is %: only a draft traveler can be deleted; cancel it instead', OLD.number, replace(OLD.status, '_', ' ')
        USING ERRCODE = 'NXT01';
    END IF;
    RETURN OLD;
  END IF;

  -- An unknown status is the CHECK constraint's to refuse (23514), with its own name.
  IF NEW.status NOT IN ('draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled') THEN
    RETURN NEW;
  END IF;
  IF TG_OP = 'INSERT' THEN
    IF NEW.status <> 'draft' THEN
      RAISE EXCEPTION 'A new traveler starts as a draft' USING ERRCODE = 'NXT01';
    END IF;
    RETURN NEW;
  END IF;

  IF NEW.status IS DISTINCT FROM OLD.status THEN
    allowed := traveler_allowed_transitions(OLD.status);
    IF NOT NEW.status = ANY (allowed) THEN
      RAISE EXCEPTION 'Traveler % cannot go from % to %: from % it can go to %', NEW.number,
        replace(OLD.status, '_', ' '), replace(NEW.status, '_', ' '), replace(OLD.status, '_', ' '),
        CASE WHEN cardinality(allowed) = 0 THEN 'nothing (it is closed)' ELSE replace(array_to_string(allowed, ', '), '_', ' ') END
        USING ERRCODE = 'NXT01';
    END IF;
    open_steps := traveler_open_steps(NEW.id);
    IF OLD.status = 'draft' AND NEW.status = 'released'
       AND NOT EXISTS (SELECT 1 FROM traveler_steps WHERE traveler_id = NEW.id)
       AND NOT EXISTS (SELECT 1 FROM manual_steps WHERE traveler_id = NEW.id) THEN
      RAISE EXCEPTION 'Traveler % has no steps: a traveler without steps cannot be released', NEW.number USING ERRCODE = 'NXT01';
    END IF;
    IF NEW.status = 'completed' AND open_steps > 0 THEN
      RAISE EXCEPTION 'Traveler % cannot be completed: % of its steps are not signed off', NEW.number, open_steps USING ERRCODE = 'NXT01';
    END IF;
    -- Times come from the database clock when the writer gives none (kept on a resume).
    IF NEW.status = 'released' THEN NEW.released_at := coalesce(NEW.released_at, now()); END IF;
    IF NEW.status = 'in_progress' THEN NEW.started_at := coalesce(NEW.started_at, now()); END IF;
    IF NEW.status = 'completed' THEN NEW.completed_at := coalesce(NEW.completed_at, now()); END IF;
    IF NEW.status NOT IN ('on_hold', 'cancelled') AND NEW.status_reason IS NOT DISTINCT FROM OLD.status_reason THEN
      NEW.status_reason := NULL;
    END IF;
  END IF;

  -- When it was released, started and completed is history: once written it stays.
  IF (OLD.released_at IS NOT NULL AND NEW.released_at IS DISTINCT FROM OLD.released_at)
     OR (OLD.started_at IS NOT NULL AND NEW.started_at IS DISTINCT FROM OLD.started_at)
     OR (OLD.completed_at IS NOT NULL AND NEW.completed_at IS DISTINCT FROM OLD.completed_at) THEN
    RAISE EXCEPTION 'Traveler %: the times it was released, started and completed are history and cannot be rewritten', NEW.number
      USING ERRCODE = 'NXT01';
  END IF;

  IF OLD.status <> 'draft' AND (
       NEW.number IS DISTINCT FROM OLD.number OR NEW.work_order_id IS DISTINCT FROM OLD.work_order_id
       OR NEW.part_id IS DISTINCT FROM OLD.part_id OR NEW.revision_id IS DISTINCT FROM OLD.revision_id
       OR NEW.quantity IS DISTINCT FROM OLD.quantity) THEN
    PERFORM traveler_content_guard(OLD.id, 'number, work order, part, revision or quantity');
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER travelers_lifecycle BEFORE INSERT OR UPDATE OR DELETE ON travelers
  FOR EACH ROW EXECUTE FUNCTION travelers_lifecycle();

-- ---------------------------------------------------------------- steps: content and order

-- The first step that must be signed off before this position can be worked, if any. A
-- routing step marked parallel may be worked alongside the steps just before it, back to the
-- nearest step that is not parallel; a manual step "after N" comes after step N and before N+1.
CREATE FUNCTION traveler_step_blocker(p_traveler_id integer, p_step_number integer, p_is_parallel boolean, p_manual_id integer)
RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  leader integer;
  blocker text;
BEGIN
  IF p_manual_id IS NULL THEN
    IF p_is_parallel THEN
      SELECT coalesce(max(step_number), 0) INTO leader FROM traveler_steps
       WHERE traveler_id = p_traveler_id AND step_number < p_step_number AND NOT is_parallel;
    ELSE
      leader := p_step_number;
    END IF;
    SELECT format('step %s (%s)', step_number, operation) INTO blocker FROM traveler_steps
     WHERE traveler_id = p_traveler_id AND step_number < leader AND status <> 'completed'
     ORDER BY step_number LIMIT 1;
    IF blocker IS NULL THEN
      SELECT format('the manual step after step %s (%s)', after_step_number, operation) INTO blocker FROM manual_steps
       WHERE traveler_id = p_traveler_id AND after_step_number < leader AND status <> 'completed'
       ORDER BY after_step_number, id LIMIT 1;
    END IF;
  ELSE
    SELECT format('step %s (%s)', step_number, operation) INTO blocker FROM traveler_steps
     WHERE traveler_id = p_traveler_id AND step_number <= p_step_number AND status <> 'completed'
     ORDER BY step_number LIMIT 1;
    IF blocker IS NULL THEN
      SELECT format('the manual step after step %s (%s)', after_step_number, operation) INTO blocker FROM manual_steps
       WHERE traveler_id = p_traveler_id AND status <> 'completed'
         AND (after_step_number < p_step_number OR (after_step_number = p_step_number AND id < p_manual_id))
       ORDER BY after_step_number, id LIMIT 1;
    END IF;
  END IF;
  RETURN blocker;
END $$;

-- Starting or signing off a step: the traveler is on the floor and the steps before it are done.
CREATE FUNCTION traveler_work_guard(p_traveler_id integer, p_label text, p_step_number integer, p_is_parallel boolean, p_manual_id integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  blocker text;
BEGIN
  SELECT number, status INTO t FROM travelers WHERE id = p_traveler_id;
  IF t.status NOT IN ('released', 'in_progress') THEN
    RAISE EXCEPTION 'Traveler % is %: its steps are worked only while it is released or in progress', t.number, replace(t.status, '_', ' ')
      USING ERRCODE = 'NXT03';
  END IF;
  blocker := traveler_step_blocker(p_traveler_id, p_step_number, p_is_parallel, p_manual_id);
  IF blocker IS NOT NULL THEN
    RAISE EXCEPTION '% cannot be worked before % is signed off: steps are worked in order unless the routing marks them parallel', p_label, blocker
      USING ERRCODE = 'NXT03';
  END IF;
END $$;

CREATE FUNCTION traveler_steps_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  open_check text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM traveler_content_guard(NEW.traveler_id, 'steps');
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM traveler_content_guard(OLD.traveler_id, 'steps');
    RETURN OLD;
  END IF;
  IF NEW.step_number IS DISTINCT FROM OLD.step_number OR NEW.traveler_id IS DISTINCT FROM OLD.traveler_id
     OR NEW.work_center_id IS DISTINCT FROM OLD.work_center_id OR NEW.operation IS DISTINCT FROM OLD.operation
     OR NEW.instructions IS DISTINCT FROM OLD.instructions OR NEW.estimated_hours IS DISTINCT FROM OLD.estimated_hours
     OR NEW.is_parallel IS DISTINCT FROM OLD.is_parallel OR NEW.process_step_id IS DISTINCT FROM OLD.process_step_id THEN
    PERFORM traveler_content_guard(OLD.traveler_id, 'steps');
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF OLD.status = 'completed' THEN
      RAISE EXCEPTION 'Step % is signed off: a sign-off is never undone', OLD.step_number USING ERRCODE = 'NXT03';
    END IF;
    PERFORM traveler_work_guard(NEW.traveler_id, format('Step %s', NEW.step_number), NEW.step_number, NEW.is_parallel, NULL);
    IF NEW.status = 'completed' THEN
      SELECT CASE WHEN completed_at IS NULL THEN format('check %s (%s) is not done', sequence, description)
                  ELSE format('check %s (%s) measured %s, outside its limits, and quality has not recorded a disposition', sequence, description, measured_value) END
        INTO open_check
        FROM traveler_sub_steps
       WHERE traveler_step_id = NEW.id AND (completed_at IS NULL OR (out_of_limits AND disposition IS NULL))
       ORDER BY sequence LIMIT 1;
      IF open_check IS NOT NULL THEN
        RAISE EXCEPTION 'Step % cannot be signed off: %', NEW.step_number, open_check USING ERRCODE = 'NXT04';
      END IF;
    END IF;
  ELSIF OLD.status = 'completed' AND (NEW.completed_at IS DISTINCT FROM OLD.completed_at OR NEW.completed_by_id IS DISTINCT FROM OLD.completed_by_id
        OR NEW.started_at IS DISTINCT FROM OLD.started_at) THEN
    RAISE EXCEPTION 'Step % is signed off: its sign-off cannot change', OLD.step_number USING ERRCODE = 'NXT03';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER traveler_steps_lifecycle BEFORE INSERT OR UPDATE OR DELETE ON traveler_steps
  FOR EACH ROW EXECUTE FUNCTION traveler_steps_lifecycle();

CREATE FUNCTION manual_steps_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM traveler_content_guard(NEW.traveler_id, 'manual steps');
    RETURN NEW;
  END IF;
  IF TG_OP = 'DELETE' THEN
    PERFORM traveler_content_guard(OLD.traveler_id, 'manual steps');
    RETURN OLD;
  END IF;
  IF NEW.traveler_id IS DISTINCT FROM OLD.traveler_id OR NEW.after_step_number IS DISTINCT FROM OLD.after_step_number
     OR NEW.work_center_id IS DISTINCT FROM OLD.work_center_id OR NEW.operation IS DISTINCT FROM OLD.operation
     OR NEW.instructions IS DISTINCT FROM OLD.instructions OR NEW.reason IS DISTINCT FROM OLD.reason
     OR NEW.estimated_hours IS DISTINCT FROM OLD.estimated_hours OR NEW.added_by_id IS DISTINCT FROM OLD.added_by_id THEN
    PERFORM traveler_content_guard(OLD.traveler_id, 'manual steps');
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status THEN
    IF OLD.status = 'completed' THEN
      RAISE EXCEPTION 'The manual step "%" is signed off: a sign-off is never undone', OLD.operation USING ERRCODE = 'NXT03';
    END IF;
    PERFORM traveler_work_guard(NEW.traveler_id, format('The manual step "%s"', NEW.operation), NEW.after_step_number, false, NEW.id);
  ELSIF OLD.status = 'completed' AND (NEW.completed_at IS DISTINCT FROM OLD.completed_at OR NEW.completed_by_id IS DISTINCT FROM OLD.completed_by_id
        OR NEW.started_at IS DISTINCT FROM OLD.started_at) THEN
    RAISE EXCEPTION 'The manual step "%" is signed off: its sign-off cannot change', OLD.operation USING ERRCODE = 'NXT03';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER manual_steps_lifecycle BEFORE INSERT OR UPDATE OR DELETE ON manual_steps
  FOR EACH ROW EXECUTE FUNCTION manual_steps_lifecycle();

-- ---------------------------------------------------------------- checks (sub-steps)

CREATE FUNCTION traveler_sub_steps_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  s record;
BEGIN
  IF TG_OP = 'DELETE' THEN
    SELECT traveler_id INTO s FROM traveler_steps WHERE id = OLD.traveler_step_id;
    IF FOUND THEN PERFORM traveler_content_guard(s.traveler_id, 'checks'); END IF;
    RETURN OLD;
  END IF;
  SELECT traveler_id, step_number, status INTO s FROM traveler_steps WHERE id = NEW.traveler_step_id;
  IF TG_OP = 'INSERT' THEN
    PERFORM traveler_content_guard(s.traveler_id, 'checks');
    RETURN NEW;
  END IF;
  IF NEW.traveler_step_id IS DISTINCT FROM OLD.traveler_step_id OR NEW.sequence IS DISTINCT FROM OLD.sequence
     OR NEW.description IS DISTINCT FROM OLD.description OR NEW.requires_measurement IS DISTINCT FROM OLD.requires_measurement
     OR NEW.unit IS DISTINCT FROM OLD.unit OR NEW.lower_limit IS DISTINCT FROM OLD.lower_limit
     OR NEW.upper_limit IS DISTINCT FROM OLD.upper_limit THEN
    PERFORM traveler_content_guard(s.traveler_id, 'checks');
  END IF;
  IF NEW.measured_value IS DISTINCT FROM OLD.measured_value OR NEW.completed_at IS DISTINCT FROM OLD.completed_at
     OR NEW.completed_by_id IS DISTINCT FROM OLD.completed_by_id OR NEW.disposition IS DISTINCT FROM OLD.disposition
     OR NEW.disposition_note IS DISTINCT FROM OLD.disposition_note THEN
    IF s.status = 'completed' THEN
      RAISE EXCEPTION 'Step % is signed off: its checks cannot change', s.step_number USING ERRCODE = 'NXT03';
    END IF;
    IF s.status <> 'in_progress' THEN
      RAISE EXCEPTION 'Step % has not been started: start it before recording its checks', s.step_number USING ERRCODE = 'NXT03';
    END IF;
    -- A new measurement needs a new decision: a disposition speaks for the value it was made on.
    IF NEW.measured_value IS DISTINCT FROM OLD.measured_value AND OLD.disposition IS NOT NULL
       AND NEW.disposition IS NOT DISTINCT FROM OLD.disposition AND NEW.disposition_at IS NOT DISTINCT FROM OLD.disposition_at THEN
      RAISE EXCEPTION 'Check % was dispositioned for the value %: a new measurement clears that disposition', NEW.sequence, OLD.measured_value
        USING ERRCODE = 'NXT04';
    END IF;
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER traveler_sub_steps_lifecycle BEFORE INSERT OR UPDATE OR DELETE ON traveler_sub_steps
  FOR EACH ROW EXECUTE FUNCTION traveler_sub_steps_lifecycle();

-- ---------------------------------------------------------------- clocking in

-- Clocking in (an open entry) is for a step that can be worked now; entries made afterwards
-- (with an end time) may record work on any step of the traveler.
CREATE FUNCTION labor_entries_lifecycle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  t record;
  step_status text;
BEGIN
  IF NEW.ended_at IS NOT NULL OR (TG_OP = 'UPDATE' AND OLD.ended_at IS NULL AND NEW.traveler_step_id IS NOT DISTINCT FROM OLD.traveler_step_id
       AND NEW.manual_step_id IS NOT DISTINCT FROM OLD.manual_step_id) THEN
    RETURN NEW;
  END IF;
  SELECT number, status INTO t FROM travelers WHERE id = NEW.traveler_id;
  IF t.status NOT IN ('released', 'in_progress') THEN
    RAISE EXCEPTION 'Traveler % is %: clock in only on a released or in-progress traveler', t.number, replace(t.status, '_', ' ')
      USING ERRCODE = 'NXT05';
  END IF;
  IF NEW.traveler_step_id IS NULL AND NEW.manual_step_id IS NULL THEN
    RAISE EXCEPTION 'Clock in on a step of traveler %', t.number USING ERRCODE = 'NXT05';
  END IF;
  IF NEW.traveler_step_id IS NOT NULL THEN
    SELECT status INTO step_status FROM traveler_steps WHERE id = NEW.traveler_step_id;
  ELSE
    SELECT status INTO step_status FROM manual_steps WHERE id = NEW.manual_step_id;
  END IF;
  IF step_status = 'completed' THEN
    RAISE EXCEPTION 'That step of traveler % is signed off: clock in on a step that is still open', t.number USING ERRCODE = 'NXT05';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER labor_entries_lifecycle BEFORE INSERT OR UPDATE ON labor_entries
  FOR EACH ROW EXECUTE FUNCTION labor_entries_lifecycle();

-- Dashboard and operator queries: open steps per work center, open clock-ins per step.
CREATE INDEX labor_entries_open_idx ON labor_entries (traveler_step_id) WHERE ended_at IS NULL;
CREATE INDEX manual_steps_status_idx ON manual_steps (work_center_id, status);
