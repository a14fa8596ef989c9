import { Op, QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { approvalNeeded, submitForApproval } from '../approvals/approval-request.service.js';
import { ruleFor, transactionLookup } from '../approvals/approval-policy.js';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, asSessionUser, canEditReferenceData, type Predicate } from '../auth/access-rules.js';
import type { RevisionStatus } from '../models/constants.js';
import { Approval, Revision } from '../models/index.js';
import { CONTROL_CHARACTER, coerceInput } from './input-coercion.js';
import { RecordNotFoundError, RecordValidationError, StaleRecordError, WorkflowRefusedError } from './record-errors.js';
import { executeWrite } from './write-command.js';

/**
 * A revision's status moves with two actions, never by typing a status: Release (a draft becomes
 * the revision travelers are made from; the approval policy holds it for a second person, and
 * the revision released before it becomes obsolete when the release takes effect) and Obsolete
 * (a revision no longer to be made). The same rules, audit and approval policy as any write.
 */
export type RevisionAction = 'release' | 'obsolete';

export const REVISION_ACTIONS: readonly RevisionAction[] = ['release', 'obsolete'];

/** Who may use each action (those who keep engineering data); the service asks again. */
export const REVISION_ACTION_RULES: Record<RevisionAction, Predicate> = {
  release: canEditReferenceData,
  obsolete: canEditReferenceData,
};

export const REVISION_ACTION_LABELS: Record<RevisionAction, string> = { release: 'Release', obsolete: 'Make obsolete' };

/** From which statuses each action leads somewhere. An obsolete revision comes back only as a new revision. */
const FROM: Record<RevisionAction, readonly RevisionStatus[]> = {
  release: ['draft'],
  obsolete: ['draft', 'released'],
};

export function revisionActionAvailable(action: RevisionAction, status: unknown): boolean {
  return (FROM[action] as readonly unknown[]).includes(status);
}

export interface RevisionActionInput {
  /** YYYY-MM-DD; for Release, when the revision takes effect (kept if it has one and none is given). */
  effectiveDate?: string | null;
  /** Why, for the approver and the audit trail's request. */
  reason?: string | null;
  /** The version the person saw; a revision changed since is refused, not overwritten. */
  version?: number | string | null;
}

export interface RevisionActionResult {
  revision: Revision;
  message: string;
}

/** What the Release and Obsolete forms say before anyone confirms. */
export interface RevisionActionPlan {
  title: string;
  status: string;
  effectiveDate: string | null;
  steps: number;
  checks: number;
  /** The revision of the same part released now, which a release makes obsolete. */
  released: string | null;
  /** Open work orders that name this revision (making it obsolete leaves them without one to make travelers from). */
  openWorkOrders: number;
  /** The approval policy's words, when it holds this action back for a second person. */
  approval: string | null;
  pendingRelease: number | null;
  /** Why the action cannot be used now, when it cannot. */
  refusal: string | null;
}

/** A revision as people name it: "IMP-5500 rev A". */
interface NamedRevision {
  revision: Revision;
  partNumber: string;
  title: string;
}

async function loadRevision(id: number, transaction: Transaction, lock: boolean): Promise<NamedRevision> {
  const revision = await Revision.findByPk(id, { transaction, ...(lock ? { lock: transaction.LOCK.UPDATE } : {}) });
  if (!revision) throw new RecordNotFoundError('revisions', id);
  const [part] = await revision.sequelize.query<{ part_number: string }>('SELECT part_number FROM parts WHERE id = :id', {
    replacements: { id: revision.part_id },
    type: QueryTypes.SELECT,
    transaction,
  });
  const partNumber = part?.part_number ?? `part #${revision.part_id}`;
  return { revision, partNumber, title: `${partNumber} rev ${revision.revision_code}` };
}

async function routingSize(sequelize: Sequelize, revisionId: number, transaction: Transaction): Promise<{ steps: number; checks: number }> {
  const [row] = await sequelize.query<{ steps: string; checks: string }>(
    `SELECT (SELECT count(*) FROM process_steps WHERE revision_id = :id) AS steps,
            (SELECT count(*) FROM sub_steps c JOIN process_steps s ON s.id = c.process_step_id WHERE s.revision_id = :id) AS checks`,
    { replacements: { id: revisionId }, type: QueryTypes.SELECT, transaction },
  );
  return { steps: Number(row?.steps ?? 0), checks: Number(row?.checks ?? 0) };
}

async function pendingRelease(revisionId: number, transaction: Transaction): Promise<Approval | null> {
  return Approval.findOne({ where: { target_table: 'revisions', target_id: revisionId, status: 'pending', rule: 'revision.release' }, transaction });
}

function refusalFor(action: RevisionAction, { revision, title }: NamedRevision, size: { steps: number }, pending: Approval | null): string | null {
  if (!revisionActionAvailable(action, revision.status)) {
    if (action === 'release' && revision.status === 'obsolete')
      return `Revision ${title} is obsolete: it is not released again. Make a new revision (copy its routing) instead.`;
    return `Revision ${title} is ${revision.status}: it cannot be ${action === 'release' ? 'released' : 'made obsolete'} again.`;
  }
  if (action === 'release' && size.steps === 0)
    return `Revision ${title} has no routing steps: write its routing (on the revision's page) before releasing it.`;
  if (action === 'release' && pending) return `Releasing revision ${title} is already waiting for approval (request #${pending.id}).`;
  return null;
}

/** "approver, quality or admin". */
function roleList(roles: readonly string[]): string {
  return roles.length < 2 ? roles.join('') : `${roles.slice(0, -1).join(', ')} or ${roles.at(-1)}`;
}

function refuseRole(action: RevisionAction, actor: UserActor): void {
  if (!REVISION_ACTION_RULES[action](asSessionUser(actor))) {
    throw new AccessDeniedError(`Your role (${actor.role}) may not ${action === 'release' ? 'release' : 'make obsolete'} revisions.`);
  }
}

/** What Release or Obsolete would do to this revision now, for the confirmation form. */
export async function revisionActionPlan(sequelize: Sequelize, revisionId: number, action: RevisionAction): Promise<RevisionActionPlan> {
  return sequelize.transaction(async (transaction) => {
    const named = await loadRevision(revisionId, transaction, false);
    const { revision } = named;
    const size = await routingSize(sequelize, revisionId, transaction);
    const pending = await pendingRelease(revisionId, transaction);
    const released = await Revision.findOne({
      where: { part_id: revision.part_id, status: 'released', id: { [Op.ne]: revision.id } },
      attributes: ['revision_code'],
      transaction,
    });
    const [orders] = await sequelize.query<{ n: string }>(
      `SELECT count(*) AS n FROM work_orders WHERE revision_id = :id AND status IN ('open', 'in_progress', 'on_hold')`,
      {
        replacements: { id: revisionId },
        type: QueryTypes.SELECT,
        transaction,
      },
    );
    const after = { ...revision.get({ plain: true }), status: action === 'release' ? 'released' : 'obsolete' };
    const rule = await ruleFor({
      table: 'revisions',
      operation: 'update',
      before: revision.get({ plain: true }),
      after,
      changed: ['status'],
      transaction,
      lookup: transactionLookup(sequelize, transaction),
    });
    return {
      title: named.title,
      status: revision.status,
      effectiveDate: revision.effective_date,
      ...size,
      released: action === 'release' && released ? `${named.partNumber} rev ${released.revision_code}` : null,
      openWorkOrders: Number(orders?.n ?? 0),
      approval: rule ? `${rule.description} needs a second person's signature (${roleList(rule.approvers)}): it takes effect when one of them approves.` : null,
      pendingRelease: pending?.id ?? null,
      refusal: refusalFor(action, named, size, pending),
    };
  });
}

/**
 * Release or Obsolete. A release the policy holds back is committed as a request and
 * ApprovalRequired is thrown (as by the record service); applied directly, the revision released
 * before it becomes obsolete in the same transaction (the revisions table's policy).
 */
export async function moveRevision(
  sequelize: Sequelize,
  revisionId: number,
  action: RevisionAction,
  actor: UserActor,
  input: RevisionActionInput = {},
): Promise<RevisionActionResult> {
  refuseRole(action, actor);
  const reason = typeof input.reason === 'string' && input.reason.trim() ? input.reason.trim() : null;
  // The date is checked as the edit form checks it, with its words, before anything is read.
  const given =
    input.effectiveDate === undefined || input.effectiveDate === null || input.effectiveDate === ''
      ? undefined
      : coerceInput(Revision, { effective_date: input.effectiveDate }, 'update').values.effective_date;
  if (reason && CONTROL_CHARACTER.test(reason)) throw new RecordValidationError({ reason: 'The reason contains an invisible control character; remove it' });
  return executeWrite(sequelize, {
    actor,
    table: 'revisions',
    model: Revision,
    run: async ({ transaction }) => {
      const named = await loadRevision(revisionId, transaction, true);
      const { revision, title } = named;
      const expected = input.version === undefined || input.version === null || input.version === '' ? undefined : Number(input.version);
      if (expected !== undefined && expected !== revision.version) throw new StaleRecordError('revisions', revisionId);
      const refusal = refusalFor(
        action,
        named,
        await routingSize(sequelize, revisionId, transaction),
        action === 'release' ? await pendingRelease(revisionId, transaction) : null,
      );
      if (refusal) throw new WorkflowRefusedError(refusal);
      const values: Record<string, unknown> = { status: action === 'release' ? 'released' : 'obsolete' };
      if (action === 'release') {
        const date = given ?? revision.effective_date;
        if (!date) throw new RecordValidationError({ effective_date: 'A released revision needs an effective date: give the date it takes effect.' });
        if (date !== revision.effective_date) values.effective_date = date;
      }
      const before = { ...revision.get({ plain: true }) } as Record<string, unknown>;
      revision.set(values as never);
      await revision.validate({ skip: ['created_at', 'updated_at'], transaction } as never);
      const gate = { model: Revision, operation: 'update' as const, before, values, actor, transaction, reason };
      const decision = await approvalNeeded(gate);
      if (decision) return submitForApproval(gate, decision);
      await revision.save({ transaction, validate: false });
      return { revision, message: action === 'release' ? `Revision ${title} is released.` : `Revision ${title} is obsolete: no new work is made from it.` };
    },
  });
}
