import { QueryTypes, type Sequelize } from 'sequelize';

/**
 * What an approver approves, shown as the database hashed it when the request was made
 * (approval_content_hash): a traveler with its steps, checks and manual steps, or a revision with
 * its routing and checks. `unchanged` says whether it is still that content; if not, approving
 * is refused as stale.
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
}

interface StepRow {
  position: string;
  operation: string;
  work_center: string | null;
  estimated_hours: number | null;
  manual: boolean;
  checks: Array<{ sequence: number; description: string; lower_limit: number | null; upper_limit: number | null; unit: string | null }> | null;
}

function limits(c: { lower_limit: number | null; upper_limit: number | null; unit: string | null }): string | null {
  const unit = c.unit ? ` ${c.unit}` : '';
  if (c.lower_limit !== null && c.upper_limit !== null) return `${c.lower_limit} to ${c.upper_limit}${unit}`;
  if (c.lower_limit !== null) return `at least ${c.lower_limit}${unit}`;
  if (c.upper_limit !== null) return `at most ${c.upper_limit}${unit}`;
  return null;
}

const TRAVELER_STEPS = `
  SELECT lpad(s.step_number::text, 4, '0') AS sort, s.step_number::text AS position, s.operation, wc.code AS work_center,
         s.estimated_hours::float8 AS estimated_hours, false AS manual,
         (SELECT json_agg(json_build_object('sequence', c.sequence, 'description', c.description, 'lower_limit', c.lower_limit::float8,
                                            'upper_limit', c.upper_limit::float8, 'unit', c.unit) ORDER BY c.sequence)
            FROM traveler_sub_steps c WHERE c.traveler_step_id = s.id) AS checks
    FROM traveler_steps s LEFT JOIN work_centers wc ON wc.id = s.work_center_id WHERE s.traveler_id = :id
  UNION ALL
  SELECT lpad(m.after_step_number::text, 4, '0') || 'm' || lpad(m.id::text, 9, '0'), 'after ' || m.after_step_number, m.operation, wc.code,
         m.estimated_hours::float8, true, NULL
    FROM manual_steps m LEFT JOIN work_centers wc ON wc.id = m.work_center_id WHERE m.traveler_id = :id
  ORDER BY 1`;

const ROUTING_STEPS = `
  SELECT s.step_number::text AS position, s.operation, wc.code AS work_center, s.estimated_hours::float8 AS estimated_hours, false AS manual,
         (SELECT json_agg(json_build_object('sequence', c.sequence, 'description', c.description, 'lower_limit', c.lower_limit::float8,
                                            'upper_limit', c.upper_limit::float8, 'unit', c.unit) ORDER BY c.sequence)
            FROM sub_steps c WHERE c.process_step_id = s.id) AS checks
    FROM process_steps s LEFT JOIN work_centers wc ON wc.id = s.work_center_id WHERE s.revision_id = :id
   ORDER BY s.step_number`;

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
  const toSteps = (rows: StepRow[]): SubjectStep[] =>
    rows.map((r) => ({
      position: r.position,
      operation: r.operation,
      workCenter: r.work_center,
      estimatedHours: r.estimated_hours,
      manual: r.manual,
      checks: (r.checks ?? []).map((c) => ({ sequence: c.sequence, description: c.description, limits: limits(c) })),
    }));
  if (request.subject_table === 'travelers') {
    const [head] = await sequelize.query<{ number: string; part_number: string; revision_code: string; quantity: number }>(
      `SELECT t.number, p.part_number, r.revision_code, t.quantity FROM travelers t JOIN parts p ON p.id = t.part_id JOIN revisions r ON r.id = t.revision_id WHERE t.id = :id`,
      { replacements: { id }, type: QueryTypes.SELECT },
    );
    if (!head) return null;
    const steps = await sequelize.query<StepRow>(TRAVELER_STEPS, { replacements: { id }, type: QueryTypes.SELECT });
    return {
      kind: 'traveler',
      table: 'travelers',
      id,
      title: `Traveler ${head.number} (${head.part_number} rev ${head.revision_code}, quantity ${head.quantity})`,
      steps: toSteps(steps),
      unchanged: request.unchanged,
    };
  }
  const [head] = await sequelize.query<{ part_number: string; revision_code: string }>(
    `SELECT p.part_number, r.revision_code FROM revisions r JOIN parts p ON p.id = r.part_id WHERE r.id = :id`,
    { replacements: { id }, type: QueryTypes.SELECT },
  );
  if (!head) return null;
  const steps = await sequelize.query<StepRow>(ROUTING_STEPS, { replacements: { id }, type: QueryTypes.SELECT });
  return { kind: 'revision', table: 'revisions', id, title: `Revision ${head.part_number} rev ${head.revision_code}`, steps: toSteps(steps), unchanged: request.unchanged };
}
