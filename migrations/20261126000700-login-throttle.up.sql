-- Sign-in throttling, shared by every app instance on this database. One row per throttled key:
-- an account name as typed (lower-cased; the row exists whether or not such a user does, so
-- the table says nothing about which accounts exist) or a client address. Failures are counted
-- in a window that starts at the first failure; reaching the limit locks the key for a while.
--
-- The app changes a row only with a single INSERT ... ON CONFLICT DO UPDATE ... RETURNING (see
-- src/auth/login-throttle.service.ts), so failures arriving at once on several instances are
-- each counted, and every time is the database clock's.
--
-- This is security bookkeeping, not critical data: no audit trigger. The audit trail records
-- every failed sign-in, every lock and every attempt refused while locked.
CREATE TABLE login_throttle (
  kind              text        NOT NULL,
  -- The normalised account name, or the client address (an IPv6 client by its /64 network).
  subject           text        NOT NULL,
  -- Failures counted in the current window.
  failures          integer     NOT NULL,
  window_started_at timestamptz NOT NULL,
  last_failure_at   timestamptz NOT NULL,
  -- Set when the count reaches the limit; a past value is an expired lock.
  locked_until      timestamptz,
  -- The count that started the lock: tells the failure that locked from later ones that raced it.
  locked_after      integer,
  CONSTRAINT login_throttle_pkey PRIMARY KEY (kind, subject),
  CONSTRAINT login_throttle_kind_valid CHECK (kind IN ('account', 'ip')),
  CONSTRAINT login_throttle_subject_length CHECK (length(subject) BETWEEN 1 AND 254),
  CONSTRAINT login_throttle_failures_positive CHECK (failures > 0),
  CONSTRAINT login_throttle_failure_in_window CHECK (last_failure_at >= window_started_at),
  CONSTRAINT login_throttle_lock_complete CHECK ((locked_until IS NULL) = (locked_after IS NULL)),
  CONSTRAINT login_throttle_lock_after_failures CHECK (locked_after IS NULL OR (locked_after BETWEEN 1 AND failures AND locked_until > window_started_at))
);

-- Pruning finds the rows whose window has passed.
CREATE INDEX login_throttle_window_started_at_idx ON login_throttle (window_started_at);

GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO ${app_role};
