import { QueryTypes, type Sequelize } from 'sequelize';
import {
  applyToCopy,
  CONTENT_TABLES,
  diffLines,
  limits,
  num,
  stepOrder,
  type ContentChange,
  type ContentDiffLine,
  type ContentStep,
} from './approval-content-diff.js';

export type { ContentDiffLine } from './approval-content-diff.js';

/**
 * What an approver approves, shown as the database hashed it when the request was made
 * (approval_content_hash): a traveler with its steps, checks and manual steps, or a revision with
 * its routing and checks. `unchanged` says whether it is still that content; if not, approving
 * is refused as stale. A request that changes that content (a step, a check, a manual step)
 * also gets the content as it is and as it would be once approved, line by line (`diff`,
 * worked out by approval-content-diff.ts).
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

async function contentDiff(sequelize: Sequelize, approvalId: number, before: ContentStep[]): Promise<ContentDiffLine[] | null> {
  const [request] = await sequelize.query<ContentChange>(`SELECT target_table, target_id, operation, changes FROM approvals WHERE id = :approvalId`, {
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
