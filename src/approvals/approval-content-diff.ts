import { formatLimits } from '../shared/limits-format.js';

/**
 * The content a request is about (a traveler's steps, checks and manual steps, or a revision's
 * routing) before and after the requested change, as one list of lines people read. The change
 * is made on a copy for display only; approval-subject.service.ts reads the content and the request.
 */

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

export interface ContentCheck {
  id: number;
  sequence: number;
  description: string;
  lower: number | null;
  upper: number | null;
  unit: string | null;
}

export interface ContentStep {
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

/** A request as the diff needs it: which row, what is done to it, and its fields as {old, new}. */
export interface ContentChange {
  target_table: string;
  target_id: number | null;
  operation: 'create' | 'update' | 'delete';
  changes: Record<string, { old: unknown; new: unknown }> | null;
}

/** The tables of the content, as a request names them: which are steps, which are checks and under what. */
export const CONTENT_TABLES: Record<string, { kind: 'step' | 'check'; manual?: boolean; stepKey?: string }> = {
  process_steps: { kind: 'step' },
  traveler_steps: { kind: 'step' },
  manual_steps: { kind: 'step', manual: true },
  sub_steps: { kind: 'check', stepKey: 'process_step_id' },
  traveler_sub_steps: { kind: 'check', stepKey: 'traveler_step_id' },
};

/** Fields a content line shows; any other changed field is named beside the line. */
const STEP_FIELDS = new Set(['step_number', 'after_step_number', 'operation', 'work_center_id', 'estimated_hours', 'traveler_id', 'revision_id']);
const CHECK_FIELDS = new Set(['sequence', 'description', 'lower_limit', 'upper_limit', 'unit', 'process_step_id', 'traveler_step_id']);

export const num = (value: unknown): number | null => (value === null || value === undefined || value === '' ? null : Number(value));

export const limits = (c: { lower: number | null; upper: number | null; unit: string | null }): string | null => formatLimits(c.lower, c.upper, c.unit) || null;

/** Steps by number; a manual step after the step it follows; ties by id (a new line, id 0, last). */
export function stepOrder(a: ContentStep, b: ContentStep): number {
  return a.number - b.number || Number(a.manual) - Number(b.manual) || (a.id || Infinity) - (b.id || Infinity);
}

const stepText = (s: ContentStep) =>
  `${s.manual ? `Manual step after ${s.number}` : `Step ${s.number}`} · ${s.operation}${s.workCenter ? ` · ${s.workCenter}` : ''}${s.hours !== null ? ` · ${s.hours} h` : ''}`;

const checkText = (c: ContentCheck) => {
  const l = limits(c);
  return `Check ${c.sequence}: ${c.description}${l ? ` (${l})` : ''}`;
};

const humanField = (field: string) => field.replace(/_id$/, '').replace(/_/g, ' ');

/**
 * The content as it would be once the request is applied: the same change the decision service
 * will make (approval-decision.service.ts applyChange), made on a copy for display only.
 */
export function applyToCopy(
  before: ContentStep[],
  request: ContentChange,
  centers: Map<number, string>,
): { after: ContentStep[]; alsoChanged: Map<string, string[]> } {
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
export function diffLines(before: ContentStep[], after: ContentStep[], alsoChanged: Map<string, string[]>): ContentDiffLine[] {
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
