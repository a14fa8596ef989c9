import { Op, type Sequelize, type Transaction } from 'sequelize';
import { ruleFor, transactionLookup, type ChangeOperation } from '../approvals/approval-policy.js';
import type { UserActor } from '../audit/actor.js';
import { AccessDeniedError, RESOURCE_RULES, asSessionUser, type SessionUser } from '../auth/access-rules.js';
import { ProcessStep, Revision, SubStep, WorkCenter } from '../models/index.js';
import { RecordNotFoundError } from './record-errors.js';
import { createRecord, deleteRecord, updateRecord } from './record.service.js';
import { claimsOf, nextSequence, nextStepNumber, pendingClaims, refuseTaken } from './routing-numbers.js';

/**
 * A revision's routing as one thing: its steps in order, each with its checks, written on the
 * revision's page as ERPNext writes a child table. Every change here is an ordinary create,
 * update or delete of one step or check through the record service, so the role matrix, field
 * rules, validation, approval policy and audit trail are exactly those of the generic forms;
 * this file only chooses the parent from the address and fills in the obvious next numbers
 * (routing-numbers.ts).
 */

export interface RoutingCheck {
  id: number;
  sequence: number;
  description: string;
  requires_measurement: boolean;
  lower_limit: number | null;
  upper_limit: number | null;
  unit: string | null;
  version: number;
}

export interface RoutingStep {
  id: number;
  step_number: number;
  operation: string;
  work_center_id: number;
  work_center: string;
  instructions: string | null;
  estimated_hours: number;
  is_parallel: boolean;
  version: number;
  checks: RoutingCheck[];
  nextSequence: number;
}

export interface Routing {
  revision: { id: number; title: string; status: string; part_id: number };
  /** Set when the routing is shown for one step (the step's own page): only its checks. */
  stepId: number | null;
  steps: RoutingStep[];
  nextStepNumber: number;
  /** Work centers a step may be given: the active ones, and any the routing already uses. */
  workCenters: Array<{ id: number; label: string }>;
  /** What this person may do here (the record service checks the same rules again on every write). */
  may: { addStep: boolean; editStep: boolean; removeStep: boolean; addCheck: boolean; editCheck: boolean; removeCheck: boolean };
  /** When the approval policy holds changes to this routing back, what a person reads about it. */
  approval: { steps: string | null; checks: string | null };
}

/** The fields a step or check row of the editor sends; the parent always comes from the address. */
export const STEP_FIELDS = ['step_number', 'operation', 'work_center_id', 'instructions', 'estimated_hours', 'is_parallel'] as const;
export const CHECK_FIELDS = ['sequence', 'description', 'requires_measurement', 'lower_limit', 'upper_limit', 'unit'] as const;

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

/** Only the row's own fields (and the version it was read at, and a reason for an approver). */
function rowInput(input: Record<string, unknown>, fields: readonly string[], extra: readonly string[]): Record<string, unknown> {
  const keep = new Set([...fields, ...extra]);
  return Object.fromEntries(Object.entries(input).filter(([k]) => keep.has(k)));
}

function requireRead(user: SessionUser | undefined, ...resources: Array<keyof typeof RESOURCE_RULES>): void {
  for (const resource of resources) {
    if (!RESOURCE_RULES[resource].read(user)) throw new AccessDeniedError(`Your role (${user?.role ?? 'none'}) may not read ${resource.replace(/_/g, ' ')}.`);
  }
}

/** What the approval policy would say of a change to this revision's routing, in words. */
async function heldBy(
  sequelize: Sequelize,
  table: 'process_steps' | 'sub_steps',
  operation: ChangeOperation,
  after: Record<string, unknown>,
  transaction: Transaction,
): Promise<string | null> {
  const rule = await ruleFor({
    table,
    operation,
    before: null,
    after,
    changed: Object.keys(after),
    transaction,
    lookup: transactionLookup(sequelize, transaction),
  });
  return rule ? `${rule.description} needs approval: each change you make here is sent to an approver as a request and takes effect when one signs it.` : null;
}

async function stepRows(sequelize: Sequelize, revisionId: number, transaction: Transaction, stepId: number | null): Promise<RoutingStep[]> {
  const steps = await ProcessStep.findAll({
    where: { revision_id: revisionId, ...(stepId !== null ? { id: stepId } : {}) },
    include: [
      { model: SubStep, as: 'subSteps' },
      { model: WorkCenter, as: 'workCenter', attributes: ['id', 'code', 'name'] },
    ],
    order: [
      ['step_number', 'ASC'],
      [{ model: SubStep, as: 'subSteps' }, 'sequence', 'ASC'],
    ],
    transaction,
  });
  const claims = await pendingClaims(
    sequelize,
    'sub_steps',
    steps.map((s) => s.id),
    transaction,
  );
  return steps.map((step) => {
    const checks = (step.subSteps ?? []).map((c) => ({
      id: c.id,
      sequence: c.sequence,
      description: c.description,
      requires_measurement: c.requires_measurement,
      lower_limit: c.lower_limit === null ? null : Number(c.lower_limit),
      upper_limit: c.upper_limit === null ? null : Number(c.upper_limit),
      unit: c.unit,
      version: c.version,
    }));
    return {
      id: step.id,
      step_number: step.step_number,
      operation: step.operation,
      work_center_id: step.work_center_id,
      work_center: step.workCenter ? `${step.workCenter.code} — ${step.workCenter.name}` : `#${step.work_center_id}`,
      instructions: step.instructions,
      estimated_hours: Number(step.estimated_hours),
      is_parallel: step.is_parallel,
      version: step.version,
      checks,
      nextSequence: nextSequence([...checks.map((c) => c.sequence), ...claimsOf(claims, step.id)]),
    };
  });
}

/**
 * The routing of a revision (or, with `stepId`, of one of its steps) for the editor on the
 * revision's and the step's pages, with what this person may do there.
 */
export async function readRouting(sequelize: Sequelize, scope: { revisionId: number } | { stepId: number }, user: SessionUser | undefined): Promise<Routing> {
  requireRead(user, 'revisions', 'process_steps', 'sub_steps');
  return sequelize.transaction(async (transaction) => {
    let revisionId: number;
    let stepId: number | null = null;
    if ('stepId' in scope) {
      const step = await ProcessStep.findByPk(scope.stepId, { attributes: ['id', 'revision_id'], transaction });
      if (!step) throw new RecordNotFoundError('process_steps', scope.stepId);
      revisionId = step.revision_id;
      stepId = step.id;
    } else {
      revisionId = scope.revisionId;
    }
    const revision = await Revision.findByPk(revisionId, { include: [{ association: 'part', attributes: ['part_number'] }], transaction });
    if (!revision) throw new RecordNotFoundError('revisions', revisionId);
    const steps = await stepRows(sequelize, revisionId, transaction, stepId);
    const allNumbers =
      stepId === null
        ? steps.map((s) => s.step_number)
        : (await ProcessStep.findAll({ where: { revision_id: revisionId }, attributes: ['step_number'], transaction })).map((s) => s.step_number);
    const claimed = claimsOf(await pendingClaims(sequelize, 'process_steps', [revisionId], transaction), revisionId);
    const used = steps.map((s) => s.work_center_id);
    const centers = await WorkCenter.findAll({
      where: { [Op.or]: [{ active: true }, ...(used.length ? [{ id: used }] : [])] },
      attributes: ['id', 'code', 'name', 'active'],
      order: [['code', 'ASC']],
      transaction,
    });
    const rules = { steps: RESOURCE_RULES.process_steps, checks: RESOURCE_RULES.sub_steps };
    const anyStep = steps[0]?.id ?? 0;
    return {
      revision: {
        id: revision.id,
        title: `${revision.part?.part_number ?? `part #${revision.part_id}`} rev ${revision.revision_code}`,
        status: revision.status,
        part_id: revision.part_id,
      },
      stepId,
      steps,
      nextStepNumber: nextStepNumber([...allNumbers, ...claimed]),
      workCenters: centers.map((c) => ({ id: c.id, label: `${c.code} — ${c.name}${c.active ? '' : ' (inactive)'}` })),
      may: {
        addStep: stepId === null && rules.steps.create(user),
        editStep: rules.steps.update(user),
        removeStep: rules.steps.delete(user),
        addCheck: rules.checks.create(user),
        editCheck: rules.checks.update(user),
        removeCheck: rules.checks.delete(user),
      },
      approval: {
        steps: await heldBy(sequelize, 'process_steps', 'create', { revision_id: revisionId }, transaction),
        checks: anyStep ? await heldBy(sequelize, 'sub_steps', 'create', { process_step_id: anyStep }, transaction) : null,
      },
    };
  });
}

/** A new step at the end of the revision's routing (or at the number given). */
export async function addRoutingStep(revisionId: number, input: Record<string, unknown>, actor: UserActor): Promise<ProcessStep> {
  const values = rowInput(input, STEP_FIELDS, ['change_reason']);
  // The role is asked before anything about the revision is read or said.
  if (!RESOURCE_RULES.process_steps.create(asSessionUser(actor))) {
    throw new AccessDeniedError(`Your role (${actor.role}) may not create routing steps.`);
  }
  const revision = await Revision.findByPk(revisionId, { attributes: ['id'] });
  if (!revision) throw new RecordNotFoundError('revisions', revisionId);
  const numbers = (await ProcessStep.findAll({ where: { revision_id: revisionId }, attributes: ['step_number'] })).map((s) => s.step_number);
  const claims = await pendingClaims(Revision.sequelize!, 'process_steps', [revisionId], null);
  const next = nextStepNumber([...numbers, ...claims.map((c) => c.number)]);
  if (isEmpty(values.step_number)) values.step_number = next;
  // Said now, not when an approver signs a request that could never be applied (a released revision's).
  else refuseTaken('step_number', Number(values.step_number), numbers, claims, 'This revision already has a step with that number', next);
  return createRecord(ProcessStep, { ...values, revision_id: revisionId }, actor);
}

/** A new check at the end of the step's checks (or at the sequence given). */
export async function addRoutingCheck(stepId: number, input: Record<string, unknown>, actor: UserActor): Promise<SubStep> {
  const values = rowInput(input, CHECK_FIELDS, ['change_reason']);
  if (!RESOURCE_RULES.sub_steps.create(asSessionUser(actor))) {
    throw new AccessDeniedError(`Your role (${actor.role}) may not create routing checks.`);
  }
  const step = await ProcessStep.findByPk(stepId, { attributes: ['id'] });
  if (!step) throw new RecordNotFoundError('process_steps', stepId);
  const sequences = (await SubStep.findAll({ where: { process_step_id: stepId }, attributes: ['sequence'] })).map((c) => c.sequence);
  const claims = await pendingClaims(ProcessStep.sequelize!, 'sub_steps', [stepId], null);
  const next = nextSequence([...sequences, ...claims.map((c) => c.number)]);
  if (isEmpty(values.sequence)) values.sequence = next;
  else refuseTaken('sequence', Number(values.sequence), sequences, claims, 'This step already has a check with that sequence number', next);
  // Limits or a unit typed in mean a measurement; a person who unticks it on purpose keeps it unticked.
  if (isEmpty(values.requires_measurement) && (!isEmpty(values.lower_limit) || !isEmpty(values.upper_limit))) values.requires_measurement = true;
  return createRecord(SubStep, { ...values, process_step_id: stepId }, actor);
}

/** A step's own fields, changed in place; the version it was read at guards against lost updates. */
export async function changeRoutingStep(stepId: number, input: Record<string, unknown>, actor: UserActor): Promise<ProcessStep> {
  return updateRecord(ProcessStep, stepId, rowInput(input, STEP_FIELDS, ['version', 'change_reason']), actor);
}

export async function changeRoutingCheck(checkId: number, input: Record<string, unknown>, actor: UserActor): Promise<SubStep> {
  return updateRecord(SubStep, checkId, rowInput(input, CHECK_FIELDS, ['version', 'change_reason']), actor);
}

/** Removes a step with its checks (the database removes the checks, each one audited). */
export async function removeRoutingStep(stepId: number, actor: UserActor): Promise<void> {
  await deleteRecord(ProcessStep, stepId, actor);
}

export async function removeRoutingCheck(checkId: number, actor: UserActor): Promise<void> {
  await deleteRecord(SubStep, checkId, actor);
}
