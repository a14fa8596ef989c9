DROP INDEX manual_steps_status_idx;
DROP INDEX labor_entries_open_idx;
DROP TRIGGER labor_entries_lifecycle ON labor_entries;
DROP FUNCTION labor_entries_lifecycle();
DROP TRIGGER traveler_sub_steps_lifecycle ON traveler_sub_steps;
DROP FUNCTION traveler_sub_steps_lifecycle();
DROP TRIGGER manual_steps_lifecycle ON manual_steps;
DROP FUNCTION manual_steps_lifecycle();
DROP TRIGGER traveler_steps_lifecycle ON traveler_steps;
DROP FUNCTION traveler_steps_lifecycle();
DROP FUNCTION traveler_work_guard(integer, text, integer, boolean, integer);
DROP FUNCTION traveler_step_blocker(integer, integer, boolean, integer);
DROP TRIGGER travelers_lifecycle ON travelers;
DROP FUNCTION travelers_lifecycle();
DROP FUNCTION traveler_open_steps(integer);
DROP FUNCTION traveler_allowed_transitions(text);
DROP FUNCTION traveler_content_guard(integer, text);
DROP FUNCTION nexus_applying_approval();
DROP INDEX traveler_sub_steps_traveler_step_id_idx;
DROP INDEX traveler_sub_steps_disposition_by_id_idx;
ALTER TABLE traveler_sub_steps
  DROP COLUMN out_of_limits,
  DROP COLUMN disposition,
  DROP COLUMN disposition_note,
  DROP COLUMN disposition_by_id,
  DROP COLUMN disposition_at;
ALTER TABLE travelers
  DROP CONSTRAINT travelers_hold_cancel_has_reason,
  DROP CONSTRAINT travelers_status_reason_length,
  DROP COLUMN status_reason,
  DROP CONSTRAINT travelers_work_order_customer_fkey,
  DROP CONSTRAINT travelers_customer_fkey,
  DROP COLUMN customer_id;
ALTER TABLE work_orders DROP CONSTRAINT work_orders_id_customer_key;
