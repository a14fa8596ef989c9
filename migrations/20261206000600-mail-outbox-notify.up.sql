-- Mail leaves when the write that queued it commits, without the services calling anything: a
-- statement that puts rows into the outbox notifies the channel nexus_mail, and PostgreSQL
-- delivers a notification only at commit (never for a transaction rolled back), to every app
-- instance listening (src/notifications/mail-dispatch.ts). No payload: the listener reads the
-- outbox itself, and a transaction's notifications on one channel fold into one. Writers that
-- nobody hears (a pooler that cannot LISTEN, a CLI while no app runs) are caught by the app's
-- periodic sweep.
CREATE FUNCTION mail_outbox_notify() RETURNS trigger
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM pg_notify('nexus_mail', '');
  RETURN NULL;
END;
$$;

CREATE TRIGGER mail_outbox_notify AFTER INSERT ON mail_outbox
  FOR EACH STATEMENT EXECUTE FUNCTION mail_outbox_notify();
