import nodemailer, { type Transporter } from 'nodemailer';
import { Op, type Sequelize, type Transaction } from 'sequelize';
import { systemActor } from '../audit/actor.js';
import { inTransaction } from '../db/unit-of-work.js';
import { MailOutbox, User } from '../models/index.js';
import type { AppLinks } from '../shared/app-links.js';

export interface MailSettings {
  /** smtp://user:password@host:587 (or smtps://); without it mail is held in the outbox. */
  smtpUrl?: string;
  from: string;
  /** The app's addresses: a mail about an approval request leaves with the link to it. */
  links: AppLinks;
}

export interface OutgoingMail {
  recipient: Pick<User, 'id' | 'email'>;
  subject: string;
  /** Names what the mail is about; the link to an approval request is added when it is sent. */
  body: string;
  approvalId?: number | null;
}

/** Queues mails inside the caller's transaction: they exist only if what they announce commits. */
export async function queueMails(transaction: Transaction, mails: OutgoingMail[]): Promise<void> {
  for (const mail of mails) {
    await MailOutbox.create(
      {
        recipient_id: mail.recipient.id,
        to_address: mail.recipient.email,
        subject: mail.subject.slice(0, 300),
        body: mail.body,
        approval_id: mail.approvalId ?? null,
      },
      { transaction },
    );
  }
}

/** The transport to send with: the dispatch's own (made once per app), else one for this run from smtpUrl. */
function transportFor(settings: DispatchSettings): Transporter | null {
  if (settings.transport !== undefined) return settings.transport;
  return settings.smtpUrl ? nodemailer.createTransport(settings.smtpUrl) : null;
}

export interface DispatchSettings extends MailSettings {
  /** A transport kept by the caller (the app's mail dispatch) across runs; null: none configured. */
  transport?: Transporter | null;
}

/**
 * The text that leaves: the body as queued and, for a mail about an approval request, the link to
 * the request at the sending app's address. Services queue no addresses: they do not know where
 * people open NEXUS, and the outbox row keeps the request's id.
 */
export function mailText(mail: Pick<MailOutbox, 'body' | 'approval_id'>, links: AppLinks): string {
  if (mail.approval_id === null || mail.approval_id === undefined) return mail.body;
  return `${mail.body.trimEnd()}\n\nOpen request #${mail.approval_id}: ${links.record('approvals', mail.approval_id)}\n`;
}

/**
 * Sends what is waiting in the outbox, after the transactions that queued it have committed.
 * Several app instances may dispatch at once: each row is claimed with SKIP LOCKED. Without
 * SMTP settings, mails are marked held: administrators read them in the panel.
 */
export async function dispatchOutbox(sequelize: Sequelize, settings: DispatchSettings, limit = 50): Promise<{ sent: number; held: number; failed: number }> {
  const transport = transportFor(settings);
  const result = { sent: 0, held: 0, failed: 0 };
  await inTransaction(sequelize, systemActor('mailer'), async ({ transaction }) => {
    const pending = await MailOutbox.findAll({
      where: { status: 'pending', attempts: { [Op.lt]: 5 } },
      order: [['id', 'ASC']],
      limit,
      lock: transaction.LOCK.UPDATE,
      skipLocked: true,
      transaction,
    });
    for (const mail of pending) {
      if (!transport) {
        await mail.update({ status: 'held', last_error: 'No SMTP server configured (SMTP_URL): kept in the outbox' }, { transaction });
        result.held += 1;
        continue;
      }
      try {
        await transport.sendMail({ from: settings.from, to: mail.to_address, subject: mail.subject, text: mailText(mail, settings.links) });
        await mail.update({ status: 'sent', sent_at: new Date(), attempts: mail.attempts + 1, last_error: null }, { transaction });
        result.sent += 1;
      } catch (error) {
        const attempts = mail.attempts + 1;
        await mail.update(
          { status: attempts >= 5 ? 'failed' : 'pending', attempts, last_error: String((error as Error).message ?? error).slice(0, 2000) },
          { transaction },
        );
        result.failed += 1;
      }
    }
  });
  return result;
}
