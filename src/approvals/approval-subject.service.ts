import { QueryTypes, type Sequelize } from 'sequelize';
import { formatLimits } from '../shared/limits-format.js';

/**
 * What an approver approves, shown as the database hashed it when the request was made
 * (approval_content_hash): a traveler with its steps, checks and manual steps, or a revision with
 * its routing and checks. `unchanged` says whether it is still that content; if not, approving
 * is refused as stale. A request that changes that content (a step, a check, a manual step)
 * also gets the content as it is and as it would be once approved, line by line (`diff`).
 */
export interface SubjectCheck {
  sequence: number;
  description: string;
  limits: string | null;
}

export interface SubjectStep {
  position: string;
  operation: string;
  workCenter: string | null;
  estimatedHours: number | null;
  checks: SubjectCheck[];
  manual: boolean;
}

/** One line of the content before and after the requested change, as people read it. */
export interface ContentDiffLine {
  kind: 'step' | 'check';
  change: 'same' | 'added' | 'removed' | 'changed';
  /** The line as it is now; null for a line the change adds. */
  before: string | null;
  /** The line once approved; null for a line the change removes. */
  after: string | null;
  /** Changed fields the line does not show (instructions, parallel work), by their names. */
  alsoChanged: string[];
}

export interface ApprovalSubject {
  kind: 'traveler' | 'revision';
  /** "Traveler T-26003 (SHF-0330 rev 01, quantity 250)", "Revision SHF-0330 rev 01". */
  title: string;
  table: 'travelers' | 'revisions';
  id: number;
  steps: SubjectStep[];
  unchanged: boolean;
  /** The routing (or the traveler's steps) before and after, when the request changes them; else null. */
  diff: ContentDiffLine[] | null;
}

interface ContentCheck {
  id: number;
  sequence: number;
  description: string;
  lower: number | null;
  upper: number | null;
  unit: string | null;
}

interface ContentStep {
  id: number;
  manual: boolean;
  /** The step number, or for a manual step the step it comes after. */
  number: number;
  operation: string;
  workCenterId: number | null;
  workCenter: string | null;
  hours: number | null;
  checks: ContentCheck[];
}

interface StepRow {
  id: number;
  manual: boolean;
  number: number;
  operation: string;
  work_center_id: number | null;
  work_center: string | null;
  estimated_hours: number | null;
  checks: Array<{ id: number; sequence: number; description: string; lower_limit: number | null; upper_limit: number | null; unit: string | null }> | null;
}

const CHECKS_OF = (table: string, key: string) => `
  (SELECT json_agg(json_build_object('id', c.id, 'sequence', c.sequence, 'description', c.description, 'lower_limit', c.lower_limit::float8,
                                     'upper_limit', c.upper_limit::float8, 'unit', c.unit) ORDER BY c.sequence, c.id)
     FROM ${table} c WHERE c.${key} = s.id)`;

const TRAVELER_STEPS = `
  SELECT s.id, false AS manual, s.step_number AS number, s.operation, s.work_center_id, wc.code AS work_center,
         s.estimated_hours::float8 AS estimated_hours, ${CHECKS_OF('traveler_sub_steps', 'traveler_step_id')} AS checks
    FROM traveler_steps s LEFT JOIN work_centers wc ON wc.id = s.work_center_id WHERE s.traveler_id = :id
  UNION ALL
  SELECT m.id, true, m.after_step_number, m.operation, m.work_center_id, wc.code, m.estimated_hours::float8, NULL
    FROM manual_steps m LEFT JOIN work_centers wc ON wc.id = m.work_center_id WHERE m.traveler_id = :id`;

const ROUTING_STEPS = `
  SELECT s.id, false AS manual, s.step_number AS number, s.operation, s.work_center_id, wc.code AS work_center,
         s.estimated_hours::float8 AS estimated_hours, ${CHECKS_OF('sub_steps', 'process_step_id')} AS checks
    FROM process_steps s LEFT JOIN work_centers wc ON wc.id = s.work_center_id WHERE s.revision_id = :id`;

/** The tables of the content, as a request names them: which are steps, which are checks and under what. */
const CONTENT_TABLES: Record<string, { kind: 'step' | 'check'; manual?: boolean; stepKey?: string }> = {
  process_steps: { kind: 'step' },
  traveler_steps: { kind: 'step' },
  manual_steps: { kind: 'step', manual: true },
  sub_steps: { kind: 'check', stepKey: 'process_step_id' },
  traveler_sub_steps: { kind: 'check', stepKey: 'traveler_step_id' },
};

/** Fields a content line shows; any other changed field is named beside the line. */
const STEP_FIELDS = new Set(['step_number', 'after_step_number', 'operation', 'work_center_id', 'estimated_hours', 'traveler_id', 'revision_id']);
const CHECK_FIELDS = new Set(['sequence', 'description', 'lower_limit', 'upper_limit', 'unit', 'process_step_id', 'traveler_step_id']);

const num = (value: unknown): number | null => (value === null || value === undefined || value === '' ? null : Number(value));

const limits = (c: { lower: number | null; upper: number | null; unit: string | null }): string | null => formatLimits(c.lower, c.upper, c.unit) || null;

function toContent(rows: StepRow[]): ContentStep[] {
  return rows
    .map((r) => ({
      id: r.id,
      manual: r.manual,
      number: r.number,
      operation: r.operation,
      workCenterId: r.work_center_id,
      workCenter: r.work_center,
      hours: r.estimated_hours,
      checks: (r.checks ?? []).map((c) => ({
        id: c.id,
        sequence: c.sequence,
        description: c.description,
        lower: c.lower_limit,
        upper: c.upper_limit,
        unit: c.unit,
      })),
    }))
    .sort(stepOrder);
}

/** Steps by number; a manual step after the step it follows; ties by id (a new line, id 0, last). */
function stepOrder(a: ContentStep, b: ContentStep): number {
  return a.number - b.number || Number(a.manual) - Number(b.manual) || (a.id || Infinity) - (b.id || Infinity);
}

function toSubjectSteps(steps: ContentStep[]): SubjectStep[] {
  return steps.map((s) => ({
    position: s.manual ? `after ${s.number}` : String(s.number),
    operation: s.operation,
    workCenter: s.workCenter,
    estimatedHours: s.hours,
    manual: s.manual,
    checks: s.checks.map((c) => ({ sequence: c.sequence, description: c.description, limits: limits(c) })),
  }));
}

const stepText = (s: ContentStep) =>
  `${s.manual ? `Manual step after ${s.number}` : `Step ${s.number}`} · ${s.operation}${s.workCenter ? ` · ${s.workCenter}` : ''}${s.hours !== null ? ` · ${s.hours} h` : ''}`;

const checkText = (c: ContentCheck) => {
  const l = limits(c);
  return `Check ${c.sequence}: ${c.description}${l ? ` (${l})` : ''}`;
};

interface RequestRow {
  target_table: string;
  target_id: number | null;
  operation: 'create' | 'update' | 'delete';
  changes: Record<string, { old: unknown; new: unknown }> | null;
}

const humanField = (field: string) => field.replace(/_id$/, '').replace(/_/g, ' ');

/**
 * The content as it would be once the request is applied: the same change the decision service
 * will make (approval-decision.service.ts applyChange), made on a copy for display only.
 */
function applyToCopy(before: ContentStep[], request: RequestRow, centers: Map<number, string>): { after: ContentStep[]; alsoChanged: Map<string, string[]> } {
  const spec = CONTENT_TABLES[request.target_table]!;
  const diff = request.changes ?? {};
  const value = (field: string) => diff[field]?.new;
  const has = (field: string) => field in diff;
  const after = before.map((s) => ({ ...s, checks: s.checks.map((c) => ({ ...c })) }));
  const alsoChanged = new Map<string, string[]>();
  const shown = spec.kind === 'step' ? STEP_FIELDS : CHECK_FIELDS;
  const others =
    request.operation === 'update'
      ? Object.keys(diff)
          .filter((f) => !shown.has(f))
          .map(humanField)
      : [];

  if (spec.kind === 'step') {
    const key = `step:${spec.manual ? 'm' : ''}${request.target_id ?? 0}`;
    if (others.length) alsoChanged.set(key, others);
    const index = after.findIndex((s) => s.id === request.target_id && s.manual === Boolean(spec.manual));
    if (request.operation === 'delete') {
      if (index >= 0) after.splice(index, 1);
    } else {
      const step: ContentStep =
        request.operation === 'create' || index < 0
          ? { id: 0, manual: Boolean(spec.manual), number: 0, operation: '', workCenterId: null, workCenter: null, hours: null, checks: [] }
          : after[index]!;
      const numberField = spec.manual ? 'after_step_number' : 'step_number';
      if (has(numberField)) step.number = num(value(numberField)) ?? step.number;
      if (has('operation')) step.operation = String(value('operation') ?? '');
      if (has('work_center_id')) {
        step.workCenterId = num(value('work_center_id'));
        step.workCenter = step.workCenterId === null ? null : (centers.get(step.workCenterId) ?? `#${step.workCenterId}`);
      }
      if (has('estimated_hours')) step.hours = num(value('estimated_hours'));
      if (request.operation === 'create' || index < 0) after.push(step);
    }
    return { after: after.sort(stepOrder), alsoChanged };
  }

  const stepKey = spec.stepKey!;
  const key = `check:${request.target_id ?? 0}`;
  if (others.length) alsoChanged.set(key, others);
  const owner = after.find((s) => !s.manual && s.checks.some((c) => c.id === request.target_id));
  const current = owner?.checks.find((c) => c.id === request.target_id);
  if (request.operation === 'delete') {
    if (owner) owner.checks = owner.checks.filter((c) => c.id !== request.target_id);
    return { after, alsoChanged };
  }
  const check: ContentCheck = current ?? { id: 0, sequence: 0, description: '', lower: null, upper: null, unit: null };
  if (has('sequence')) check.sequence = num(value('sequence')) ?? check.sequence;
  if (has('description')) check.description = String(value('description') ?? '');
  if (has('lower_limit')) check.lower = num(value('lower_limit'));
  if (has('upper_limit')) check.upper = num(value('upper_limit'));
  if (has('unit')) check.unit = (value('unit') as string | null) ?? null;
  const targetStepId = has(stepKey) ? num(value(stepKey)) : (owner?.id ?? null);
  if (owner && owner.id !== targetStepId) owner.checks = owner.checks.filter((c) => c !== check);
  const target = after.find((s) => !s.manual && s.id === targetStepId);
  if (target && !target.checks.includes(check)) target.checks.push(check);
  for (const s of after) s.checks.sort((a, b) => a.sequence - b.sequence || (a.id || Infinity) - (b.id || Infinity));
  return { after, alsoChanged };
}

/** Before and after as one list: every step and check once, in the order of the content once approved. */
function diffLines(before: ContentStep[], after: ContentStep[], alsoChanged: Map<string, string[]>): ContentDiffLine[] {
  const stepKey = (s: ContentStep) => `step:${s.manual ? 'm' : ''}${s.id}`;
  const beforeSteps = new Map(before.map((s) => [stepKey(s), s]));
  const afterSteps = new Map(after.map((s) => [stepKey(s), s]));
  // Removed steps keep their place among the others.
  const order = [...after, ...before.filter((s) => !afterSteps.has(stepKey(s)))].sort(stepOrder);
  const lines: ContentDiffLine[] = [];
  const line = (kind: 'step' | 'check', was: string | null, will: string | null, also: string[] = []): ContentDiffLine => ({
    kind,
    before: was,
    after: will,
    alsoChanged: also,
    change: was === null ? 'added' : will === null ? 'removed' : was !== will || also.length ? 'changed' : 'same',
  });
  for (const step of order) {
    const key = stepKey(step);
    const was = beforeSteps.get(key);
    const will = afterSteps.get(key);
    lines.push(line('step', was ? stepText(was) : null, will ? stepText(will) : null, alsoChanged.get(key)));
    const beforeChecks = new Map((was?.checks ?? []).map((c) => [c.id, c]));
    const afterChecks = new Map((will?.checks ?? []).map((c) => [c.id, c]));
    const checks = [...(will?.checks ?? []), ...(was?.checks ?? []).filter((c) => !afterChecks.has(c.id))].sort(
      (a, b) => a.sequence - b.sequence || (a.id || Infinity) - (b.id || Infinity),
    );
    for (const check of checks) {
      const c0 = beforeChecks.get(check.id);
      const c1 = afterChecks.get(check.id);
      lines.push(line('check', c0 ? checkText(c0) : null, c1 ? checkText(c1) : null, alsoChanged.get(`check:${check.id}`)));
    }
  }
  return lines;
}

async function contentDiff(sequelize: Sequelize, approvalId: number, before: ContentStep[]): Promise<ContentDiffLine[] | null> {
  const [request] = await sequelize.query<RequestRow>(`SELECT target_table, target_id, operation, changes FROM approvals WHERE id = :approvalId`, {
    replacements: { approvalId },
    type: QueryTypes.SELECT,
  });
  if (!request || !CONTENT_TABLES[request.target_table]) return null;
  const centerIds = [request.changes?.work_center_id?.new].map(num).filter((id): id is number => id !== null);
  const centers = new Map<number, string>();
  if (centerIds.length) {
    const rows = await sequelize.query<{ id: number; code: string }>(`SELECT id, code FROM work_centers WHERE id IN (:ids)`, {
      replacements: { ids: centerIds },
      type: QueryTypes.SELECT,
    });
    for (const row of rows) centers.set(row.id, row.code);
  }
  const { after, alsoChanged } = applyToCopy(before, request, centers);
  return diffLines(before, after, alsoChanged);
}

/** The content a request is about, when it is a traveler or a revision; null for a single record. */
export async function approvalSubject(sequelize: Sequelize, approvalId: number): Promise<ApprovalSubject | null> {
  const [request] = await sequelize.query<{ subject_table: string | null; subject_id: number | null; unchanged: boolean }>(
    `SELECT CASE WHEN target_table IN ('travelers', 'revisions') THEN target_table
                 WHEN parent_table IN ('travelers', 'revisions') THEN parent_table END AS subject_table,
            CASE WHEN target_table IN ('travelers', 'revisions') THEN target_id
                 WHEN parent_table IN ('travelers', 'revisions') THEN parent_id END AS subject_id,
            approval_content_hash(target_table, target_id, parent_table, parent_id) IS NOT DISTINCT FROM content_hash AS unchanged
       FROM approvals WHERE id = :approvalId`,
    { replacements: { approvalId }, type: QueryTypes.SELECT },
  );
  if (!request?.subject_table || request.subject_id === null) return null;
  const id = request.subject_id;
  if (request.subject_table === 'travelers') {
    const [head] = await sequelize.query<{ number: string; part_number: string; revision_code: string; quantity: number }>(
      `SELECT t.number, p.part_number, r.revision_code, t.quantity FROM travelers t JOIN parts p ON p.id = t.part_id JOIN revisions r ON r.id = t.revision_id WHERE t.id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    if (!head) return null;
    const steps = toContent(await sequelize.query<StepRow>(TRAVELER_STEPS, { replacements: { id }, type: QueryTypes.SELECT }));
    return {
      kind: 'traveler',
      table: 'travelers',
      id,
      title: `Traveler ${head.number} (${head.part_number} rev ${head.revision_code}, quantity ${head.quantity})`,
      steps: toSubjectSteps(steps),
      unchanged: request.unchanged,
      diff: await contentDiff(sequelize, approvalId, steps),
    };
  }
  const [head] = await sequelize.query<{ part_number: string; revision_code: string }>(
    `SELECT p.part_number, r.revision_code FROM revisions r JOIN parts p ON p.id = r.part_id WHERE r.id = :id`,
    { replacements: { id }, type: QueryTypes.SELECT },
  );
  if (!head) return null;
  const steps = toContent(await sequelize.query<StepRow>(ROUTING_STEPS, { replacements: { id }, type: QueryTypes.SELECT }));
  return {
    kind: 'revision',
    table: 'revisions',
    id,
    title: `Revision ${head.part_number} rev ${head.revision_code}`,
    steps: toSubjectSteps(steps),
    unchanged: request.unchanged,
    diff: await contentDiff(sequelize, approvalId, steps),
  };
}
