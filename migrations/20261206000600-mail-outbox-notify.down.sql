DROP TRIGGER mail_outbox_notify ON mail_outbox;
DROP FUNCTION mail_outbox_notify();
