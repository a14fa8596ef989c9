import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import type { Role } from '../auth/roles.js';
import { labelOf, stepMoves, type MoveState, type Mover, type StepKind, type StepMoves, type StepRef, type WorkState } from './step-move-rules.js';

export { MOVE_ROLES, labelOf, type StepKind, type StepMove, type StepMoves, type StepRef } from './step-move-rules.js';

/**
 * The steps as the move rules (step-move-rules.ts) see them, read from the database, and the
 * moves the rules allow a person on each: what the panel's actions, the step action page and My
 * work show. The writes read the same states with the rows they have locked.
 */

export const stepKey = (ref: StepRef): string => `${ref.kind}:${ref.id}`;

interface StepRow {
  kind: StepKind;
  id: number;
  position: number;
  operation: string;
  status: WorkState['status'];
  number: string;
  traveler_status: string;
  blocker: string | null;
}

interface CheckRow {
  traveler_step_id: number;
  sequence: number;
  description: string;
  done: boolean;
  out_of_limits: boolean | null;
  disposition: string | null;
  measured_value: number | string | null;
}

interface ClockRow {
  traveler_step_id: number | null;
  manual_step_id: number | null;
  user_id: number;
  name: string;
}

const idsOf = (refs: readonly StepRef[], kind: StepKind) => [...new Set(refs.filter((r) => r.kind === kind).map((r) => r.id))];

/**
 * The steps as the move rules see them, read with the caller's transaction (and its locks) when
 * given. The order rule (traveler_step_blocker, the database's own) is asked only where it can
 * matter: a pending step of a traveler on the floor. Steps that do not exist are left out.
 */
export async function moveStates(sequelize: Sequelize, refs: readonly StepRef[], transaction?: Transaction): Promise<Map<string, MoveState>> {
  const routing = idsOf(refs, 'routing');
  const manual = idsOf(refs, 'manual');
  const parts: string[] = [];
  if (routing.length) {
    parts.push(`SELECT 'routing' AS kind, s.id, s.step_number AS position, s.operation, s.status, t.number, t.status AS traveler_status,
              CASE WHEN s.status = 'pending' AND t.status IN ('released', 'in_progress')
                   THEN traveler_step_blocker(s.traveler_id, s.step_number, s.is_parallel, NULL) END AS blocker
         FROM traveler_steps s JOIN travelers t ON t.id = s.traveler_id WHERE s.id IN (:routing)`);
  }
  if (manual.length) {
    parts.push(`SELECT 'manual' AS kind, m.id, m.after_step_number AS position, m.operation, m.status, t.number, t.status AS traveler_status,
              CASE WHEN m.status = 'pending' AND t.status IN ('released', 'in_progress')
                   THEN traveler_step_blocker(m.traveler_id, m.after_step_number, false, m.id) END AS blocker
         FROM manual_steps m JOIN travelers t ON t.id = m.traveler_id WHERE m.id IN (:manual)`);
  }
  const states = new Map<string, MoveState>();
  if (!parts.length) return states;
  const replacements = { routing, manual };
  const steps = await sequelize.query<StepRow>(parts.join(' UNION ALL '), { replacements, type: QueryTypes.SELECT, transaction });
  const checks = routing.length
    ? await sequelize.query<CheckRow>(
        `SELECT traveler_step_id, sequence, description, completed_at IS NOT NULL AS done, out_of_limits, disposition, measured_value
           FROM traveler_sub_steps WHERE traveler_step_id IN (:routing) ORDER BY traveler_step_id, sequence`,
        { replacements, type: QueryTypes.SELECT, transaction },
      )
    : [];
  const clocks = await sequelize.query<ClockRow>(
    `SELECT e.traveler_step_id, e.manual_step_id, e.user_id, coalesce(u.full_name, 'user #' || e.user_id) AS name
       FROM labor_entries e LEFT JOIN users u ON u.id = e.user_id
      WHERE e.ended_at IS NULL AND (e.traveler_step_id IN (:routing) OR e.manual_step_id IN (:manual))
      ORDER BY e.started_at, e.id`,
    // An empty list is no list: IN (NULL) matches nothing.
    { replacements: { routing: routing.length ? routing : [null], manual: manual.length ? manual : [null] }, type: QueryTypes.SELECT, transaction },
  );
  for (const s of steps) {
    states.set(stepKey(s), {
      label: labelOf(s.kind, s.position, s.operation),
      status: s.status,
      travelerNumber: s.number,
      travelerStatus: s.traveler_status,
      blocker: s.blocker,
      checks: [],
      clockedIn: [],
    });
  }
  for (const c of checks) {
    states.get(stepKey({ kind: 'routing', id: c.traveler_step_id }))?.checks.push({
      sequence: c.sequence,
      description: c.description,
      done: c.done,
      outOfLimits: Boolean(c.out_of_limits),
      disposition: c.disposition,
      measuredValue: c.measured_value,
    });
  }
  for (const e of clocks) {
    const ref: StepRef = e.traveler_step_id !== null ? { kind: 'routing', id: e.traveler_step_id } : { kind: 'manual', id: e.manual_step_id! };
    states.get(stepKey(ref))?.clockedIn.push({ userId: e.user_id, name: e.name });
  }
  return states;
}

/** One step's state; the caller has found the step (a missing one is a programming error here). */
export async function moveState(sequelize: Sequelize, ref: StepRef, transaction?: Transaction): Promise<MoveState> {
  const state = (await moveStates(sequelize, [ref], transaction)).get(stepKey(ref));
  if (!state) throw new Error(`moveState: no ${ref.kind} step #${ref.id}`);
  return state;
}

/** Where the person is clocked in now, as refusals name it ("T-26003 step 10 (Cut bar)"), or null. */
export async function clockedInWhere(sequelize: Sequelize, userId: number, transaction?: Transaction): Promise<string | null> {
  const rows = await sequelize.query<{ where: string }>(
    `SELECT concat(t.number, ' ', coalesce('step ' || ts.step_number || ' (' || ts.operation || ')', 'manual step after ' || ms.after_step_number || ' (' || ms.operation || ')')) AS where
       FROM labor_entries e JOIN travelers t ON t.id = e.traveler_id
       LEFT JOIN traveler_steps ts ON ts.id = e.traveler_step_id
       LEFT JOIN manual_steps ms ON ms.id = e.manual_step_id
      WHERE e.user_id = :user AND e.ended_at IS NULL`,
    { replacements: { user: userId }, type: QueryTypes.SELECT, transaction },
  );
  return rows[0]?.where ?? null;
}

/** The moves of each step for the person, read without locks: what the panel and My work show. */
export async function stepMovesFor(sequelize: Sequelize, refs: readonly StepRef[], user: { id: number; role?: Role }): Promise<Map<string, StepMoves>> {
  const states = await moveStates(sequelize, refs);
  const person: Mover = { id: user.id, role: user.role, clockedInAt: states.size ? await clockedInWhere(sequelize, user.id) : null };
  return new Map([...states].map(([key, state]) => [key, stepMoves(state, person)]));
}
