import { QueryTypes, type Model, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';
import type { UserActor } from '../audit/actor.js';
import { recordEvent } from '../audit/audit-event.service.js';
import { verifyPassword } from '../auth/password.js';
import {
  DEFAULT_LOGIN_THROTTLE,
  checkLoginThrottle,
  clearAccountFailures,
  lockMessage,
  loginAttempt,
  recordLoginFailure,
  type LoginThrottleSettings,
} from '../auth/login-throttle.service.js';
import { inTransaction } from '../db/unit-of-work.js';
import { ALL_MODELS, Approval, User } from '../models/index.js';
import { queueMails } from '../notifications/mail-outbox.service.js';
import { RecordValidationError, translateWriteError } from '../records/record-errors.js';
import { executeWrite } from '../records/write-command.js';
import { ruleById } from './approval-policy.js';

export type Decision = 'approve' | 'reject' | 'withdraw';

/** Refusals a person can act on; `status` is the HTTP status the panel API answers with. */
export class ApprovalRefused extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 409 | 429,
    readonly code: 'signature' | 'four_eyes' | 'not_allowed' | 'conflict' | 'stale' | 'reason_required' | 'locked',
  ) {
    super(message);
    this.name = 'ApprovalRefused';
  }
}

export interface DecisionInput {
  approvalId: number;
  actor: UserActor;
  /** The decider's password again: the electronic signature. Not needed to withdraw. */
  password?: string;
  /** Required to reject (the reason); optional to approve. */
  comment?: string;
  /** Throttling of wrong signature passwords (the sign-in's settings; defaults when not given). */
  throttle?: LoginThrottleSettings;
}

const MEANING = { approve: 'approved', reject: 'rejected' } as const;

function modelFor(table: string): ModelStatic<Model> {
  const model = ALL_MODELS.find((m) => m.getTableName() === table) as unknown as ModelStatic<Model> | undefined;
  if (!model) throw new Error(`approval targets unknown table ${table}`);
  return model;
}

/** Who may decide requests of a rule (a rule removed from the policy falls back to administrators). */
export function mayDecide(actor: Pick<UserActor, 'role'>, rule: string | null): boolean {
  return (ruleById(rule)?.approvers ?? ['admin']).includes(actor.role);
}

/**
 * The electronic signature: the decider types their password again. A wrong one is refused
 * and recorded (in a transaction of its own, so that the refusal does not roll it back).
 */
async function checkSignature(sequelize: Sequelize, input: DecisionInput): Promise<void> {
  const { actor } = input;
  const user = await User.findByPk(actor.userId);
  // Throttled as the sign-in is, on the same account key: guessing a signature locks the account.
  const attempt = loginAttempt(user?.username ?? actor.username, { requestId: actor.requestId, ip: actor.ip, userAgent: actor.userAgent });
  const locked = await checkLoginThrottle(sequelize, attempt);
  if (locked) {
    throw new ApprovalRefused(`${lockMessage(locked).replace('sign-in attempts', 'passwords')} Nothing was signed.`, 429, 'locked');
  }
  if (user?.must_change_password) {
    throw new ApprovalRefused('Your password was set by an administrator: choose your own before you sign anything. Nothing was signed.', 403, 'signature');
  }
  const ok = await verifyPassword(user?.active ? user.password_hash : null, input.password ?? '');
  if (ok) {
    await clearAccountFailures(sequelize, attempt);
    return;
  }
  await recordEvent(sequelize, actor, {
    action: 'signature_failed',
    table: 'approvals',
    record: input.approvalId,
    details: { reason: 'wrong password' },
  });
  const lock = await recordLoginFailure(sequelize, attempt, input.throttle ?? DEFAULT_LOGIN_THROTTLE, actor.userId);
  if (lock) {
    await notifyAdministratorsOfLock(sequelize, actor, lock.retryAfterSeconds);
    throw new ApprovalRefused(
      `${lockMessage(lock).replace('sign-in attempts', 'passwords')} The account is locked and administrators were told. Nothing was signed.`,
      429,
      'locked',
    );
  }
  throw new ApprovalRefused('The password is not correct: the decision was not signed and nothing changed.', 401, 'signature');
}

/** 21 CFR 11.300(d): repeated attempts at someone's signature are reported to those responsible. */
async function notifyAdministratorsOfLock(sequelize: Sequelize, actor: UserActor, seconds: number): Promise<void> {
  await inTransaction(sequelize, actor, async ({ transaction }) => {
    const admins = await User.findAll({ where: { role: 'admin', active: true }, order: [['id', 'ASC']], transaction });
    await queueMails(
      transaction,
      admins.map((admin) => ({
        recipient: admin,
        subject: `NEXUS: account ${actor.username} locked after wrong signature passwords`,
        body:
          `The account ${actor.fullName} (${actor.username}) gave the wrong password to sign approvals too many times ` +
          `(last from ${actor.ip ?? 'an unknown address'}). It is locked for ${Math.ceil(seconds / 60)} minutes: sign-in and signatures are refused.\n\n` +
          `The attempts are in the audit log (signature_failed, login_locked).\n`,
      })),
    );
  });
}

/** Applies the requested diff exactly; returns the id of a record the request created. */
async function applyChange(approval: Approval, transaction: Transaction): Promise<number | null> {
  const model = modelFor(approval.target_table);
  const diff = approval.changes as Record<string, { old: unknown; new: unknown }>;
  const values = Object.fromEntries(Object.entries(diff).map(([field, v]) => [field, v.new]));
  if (approval.operation === 'create') {
    const created = await model.create(values, { transaction });
    return Number(created.get(model.primaryKeyAttribute));
  }
  const target = await model.findByPk(approval.target_id!, { transaction, lock: transaction.LOCK.UPDATE });
  if (!target) throw new ApprovalRefused(`The ${approval.target_table.replace(/_/g, ' ')} record #${approval.target_id} no longer exists.`, 409, 'stale');
  if (approval.operation === 'delete') {
    await target.destroy({ transaction });
    return null;
  }
  target.set(values);
  await target.save({ transaction });
  return null;
}

/**
 * Whether what the request is about changed since it was made: the record's version (bumped by the
 * database on every UPDATE, whoever writes) and the content the request binds to (a traveler with
 * its steps and checks, a revision with its routing), hashed by the database as when it was made.
 */
async function isStale(sequelize: Sequelize, approval: Approval, transaction: Transaction): Promise<boolean> {
  if (approval.operation !== 'create' && approval.base_version !== null) {
    const model = modelFor(approval.target_table);
    const target = await model.findByPk(approval.target_id!, { transaction, lock: transaction.LOCK.UPDATE });
    if (!target || Number(target.get('version')) !== approval.base_version) return true;
  }
  const [row] = await sequelize.query<{ same: boolean }>(
    'SELECT approval_content_hash(target_table, target_id, parent_table, parent_id) IS NOT DISTINCT FROM content_hash AS same FROM approvals WHERE id = :id',
    { replacements: { id: approval.id }, type: QueryTypes.SELECT, transaction },
  );
  return !row?.same;
}

function requesterMail(approval: Approval, requester: User, decider: UserActor, meaning: string, comment: string | null) {
  return {
    recipient: requester,
    subject: `NEXUS: your request #${approval.id} was ${meaning}`,
    body: `${decider.fullName} ${meaning} your request #${approval.id}.\n${approval.summary ?? ''}\n` + (comment ? `\nComment: ${comment}\n` : ''),
    approvalId: approval.id,
  };
}

/**
 * Approves, rejects or withdraws a request. The request row is locked first: of two approvers
 * at once (or a double click) one decides and the other is told it is already decided; the
 * database's transition trigger refuses a second decision even from outside this service.
 * Approving applies the exact diff in the same transaction, with every audit row of the change
 * pointing to the request; mail goes out after commit.
 */
export async function decide(sequelize: Sequelize, decision: Decision, input: DecisionInput): Promise<Approval> {
  const { actor } = input;
  const comment = input.comment?.trim() || null;
  if (decision === 'reject' && (!comment || comment.length < 3)) {
    throw new ApprovalRefused('Give the reason for rejecting (at least 3 characters): the requester needs to know what to change.', 400, 'reason_required');
  }
  let stale = false;
  const result = await executeWrite(sequelize, {
    actor,
    table: 'approvals',
    // The electronic signature is the decider's permission to sign (withdrawing needs none).
    permit: async () => {
      if (decision !== 'withdraw') await checkSignature(sequelize, input);
    },
    run: async ({ transaction }) => {
      await sequelize.query(`SELECT set_config('nexus.approval_id', $1, true)`, { bind: [String(input.approvalId)], transaction });
      const approval = await Approval.findByPk(input.approvalId, { transaction, lock: transaction.LOCK.UPDATE });
      if (!approval) throw new ApprovalRefused(`There is no approval request #${input.approvalId}.`, 409, 'conflict');
      if (approval.status !== 'pending') {
        const by = approval.decided_by_id ? (await User.findByPk(approval.decided_by_id, { transaction }))?.full_name : null;
        throw new ApprovalRefused(`Request #${approval.id} is already ${approval.status}${by ? ` by ${by}` : ''}: nothing was changed.`, 409, 'conflict');
      }
      const now = new Date();
      if (decision === 'withdraw') {
        if (approval.requested_by_id !== actor.userId) throw new ApprovalRefused('Only the person who asked can withdraw a request.', 403, 'not_allowed');
        return approval.update({ status: 'withdrawn', decided_at: now, decision_comment: comment }, { transaction });
      }
      if (approval.requested_by_id === actor.userId) {
        throw new ApprovalRefused('You cannot decide your own request: another person must approve or reject it.', 403, 'four_eyes');
      }
      if (!mayDecide(actor, approval.rule)) {
        throw new ApprovalRefused(`Your role (${actor.role}) may not decide this kind of request.`, 403, 'not_allowed');
      }
      if (decision === 'approve' && (await isStale(sequelize, approval, transaction))) {
        stale = true;
        return approval.update({ status: 'stale', decided_at: now, decision_comment: 'The record changed after the request was made.' }, { transaction });
      }
      const meaning = MEANING[decision];
      // Signed first: the database lets content locked for approval change only while the request
      // naming it is approved and not yet applied, and records that it was applied, once.
      await approval.update(
        {
          status: meaning,
          decided_by_id: actor.userId,
          decided_at: now,
          decision_comment: comment,
          signature_name: actor.fullName,
          signature_meaning: meaning,
          signed_at: now,
        },
        { transaction },
      );
      if (decision === 'approve') {
        const applied = await applyChange(approval, transaction);
        await approval.update({ applied_at: now, applied_record_id: applied }, { transaction });
      }
      const requester = await User.findByPk(approval.requested_by_id, { transaction });
      if (requester?.active) await queueMails(transaction, [requesterMail(approval, requester, actor, meaning, comment)]);
      return approval;
    },
    translate: (error) => {
      if (error instanceof ApprovalRefused) return error;
      const code = (error as { parent?: { code?: string } }).parent?.code;
      // The database's refusals: what the request is about changed, or another decision got there first.
      if (code === 'NXP02') {
        return new ApprovalRefused(
          `Request #${input.approvalId} is stale: what it is about changed a moment ago. Nothing was changed; ask again if the change is still needed.`,
          409,
          'stale',
        );
      }
      if (code === 'NXP01')
        return new ApprovalRefused(`Request #${input.approvalId} was decided by someone else a moment ago: nothing was changed.`, 409, 'conflict');
      const translated = translateWriteError(error, 'approvals');
      if (translated instanceof RecordValidationError) return new ApprovalRefused(`The change can no longer be applied: ${translated.message}`, 409, 'stale');
      return translated;
    },
  });
  if (stale) {
    throw new ApprovalRefused(
      `Request #${input.approvalId} is stale: the record was changed after the request was made, so approving it could undo that change. It is marked stale; ask again if the change is still needed.`,
      409,
      'stale',
    );
  }
  return result;
}
