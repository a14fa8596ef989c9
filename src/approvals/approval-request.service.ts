import { Op, type Model, type ModelStatic, type Sequelize, type Transaction } from 'sequelize';
import type { Actor, UserActor } from '../audit/actor.js';
import { recordTitles, titleKey } from '../audit/record-titles.js';
import { Approval, User } from '../models/index.js';
import { queueMails } from '../notifications/mail-outbox.service.js';
import { humanize } from '../records/record-errors.js';
import { ruleFor, transactionLookup, type ApprovalRule, type ChangeOperation, type ProposedChange } from './approval-policy.js';

/** A change that was not applied but submitted for approval. */
export class ApprovalRequired extends Error {
  constructor(
    readonly approval: Approval,
    readonly rule: ApprovalRule,
  ) {
    super(`Submitted for approval as request #${approval.id}: ${rule.description}. It takes effect when an approver signs it.`);
    this.name = 'ApprovalRequired';
  }
}

/** The change needs approval, but the one making it cannot ask for it (a script, a system job). */
export class ApprovalNotPossible extends Error {
  constructor(rule: ApprovalRule) {
    super(`${rule.description} needs approval, which only a signed-in user can request.`);
    this.name = 'ApprovalNotPossible';
  }
}

/** JSON-safe field values, as they will be written back when the request is approved. */
function jsonValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  return value === undefined ? null : value;
}

export interface GateInput {
  model: ModelStatic<Model>;
  operation: ChangeOperation;
  /** The record as it is now (update, delete), or null (create). */
  before: Record<string, unknown> | null;
  /** The new values of the fields that would change (all given fields for a create). */
  values: Record<string, unknown>;
  actor: Actor;
  transaction: Transaction;
  /** Why the requester wants the change, for the approver. */
  reason?: string | null;
}

export interface PendingDecision {
  rule: ApprovalRule;
  change: ProposedChange;
}

/**
 * Asks the policy whether this change needs a second person. Null when it can be applied now;
 * refuses when it needs approval that the actor cannot request (a script).
 */
export async function approvalNeeded(input: GateInput): Promise<PendingDecision | null> {
  const { model, operation, before, values, actor, transaction } = input;
  const sequelize = model.sequelize!;
  const table = model.getTableName() as string;
  const changed = Object.keys(values);
  if (operation === 'update' && changed.length === 0) return null;
  const after = operation === 'delete' ? null : { ...(before ?? {}), ...values };
  const change: ProposedChange = { table, operation, before, after, changed, transaction, lookup: transactionLookup(sequelize, transaction) };
  const rule = await ruleFor(change);
  if (!rule) return null;
  if (actor.kind !== 'user') throw new ApprovalNotPossible(rule);
  if (rule.adminMayApplyDirectly && actor.role === 'admin') return null;
  return { rule, change };
}

/**
 * Writes the request (the exact field-level diff and the version it is based on) and queues
 * mail to the approvers, in the caller's transaction; the mail leaves after commit (the outbox
 * notifies the app's mail dispatch, src/notifications/mail-dispatch.ts).
 */
export async function submitForApproval(input: GateInput, decision: PendingDecision): Promise<ApprovalRequired> {
  const { model, operation, before, values, actor, transaction } = input;
  if (actor.kind !== 'user') throw new ApprovalNotPossible(decision.rule);
  const sequelize = model.sequelize!;
  const table = model.getTableName() as string;
  const diff: Record<string, { old: unknown; new: unknown }> = {};
  const fields = operation === 'delete' ? Object.keys(before ?? {}).filter((k) => !['created_at', 'updated_at', 'version'].includes(k)) : Object.keys(values);
  for (const field of fields) {
    diff[field] = { old: jsonValue(before?.[field] ?? null), new: operation === 'delete' ? null : jsonValue(values[field]) };
  }
  const parent = (await decision.rule.parent?.(decision.change)) ?? null;
  const targetId = before ? Number(before[model.primaryKeyAttribute]) : null;
  const approval = await Approval.create(
    {
      target_table: table,
      target_id: targetId,
      operation,
      changes: diff,
      base_version: before ? ((before.version as number | undefined) ?? null) : null,
      requested_by_id: actor.userId,
      reason: input.reason?.trim() || null,
      rule: decision.rule.id,
      parent_table: parent?.table ?? null,
      parent_id: parent?.id ?? null,
      summary: (await summarize(sequelize, table, targetId, operation, diff, decision.rule)).slice(0, 300),
    },
    { transaction },
  );
  await notifyApprovers(approval, decision.rule, actor, transaction);
  return new ApprovalRequired(approval, decision.rule);
}

async function summarize(
  sequelize: Sequelize,
  table: string,
  targetId: number | null,
  operation: ChangeOperation,
  diff: Record<string, { old: unknown; new: unknown }>,
  rule: ApprovalRule,
): Promise<string> {
  const what = humanize(table).replace(/s$/, '').toLowerCase();
  let name = targetId ? `#${targetId}` : '';
  if (targetId) {
    const titles = await recordTitles(sequelize, [{ table, id: String(targetId) }]);
    const title = titles.get(titleKey(table, String(targetId)))?.title;
    if (title) name = title;
  }
  if (operation === 'create') return `${rule.description}: new ${what}`;
  if (operation === 'delete') return `${rule.description}: delete ${what} ${name}`;
  const fields = Object.entries(diff)
    .map(([f, v]) => `${humanize(f).toLowerCase()} ${v.old ?? '(empty)'} → ${v.new ?? '(empty)'}`)
    .join(', ');
  return `${humanize(table).replace(/s$/, '')} ${name}: ${fields}`;
}

async function notifyApprovers(approval: Approval, rule: ApprovalRule, requester: UserActor, transaction: Transaction): Promise<void> {
  const approvers = await User.findAll({
    where: { role: { [Op.in]: [...rule.approvers] }, active: true, id: { [Op.ne]: requester.userId } },
    order: [['id', 'ASC']],
    transaction,
  });
  await queueMails(
    transaction,
    approvers.map((user) => ({
      recipient: user,
      subject: `NEXUS: approval needed — ${approval.summary ?? rule.description}`,
      // The link to the request is added as the mail is sent, at the sending app's address.
      body: `${requester.fullName} asks for your approval of request #${approval.id}.\n\n${rule.description}.\n${approval.summary ?? ''}\n`,
      approvalId: approval.id,
    })),
  );
}
