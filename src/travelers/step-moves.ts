import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { canClockIn, canRecordDisposition, canWorkSteps, type Predicate } from '../auth/access-rules.js';
import type { Role } from '../auth/roles.js';

/**
 * What a step allows next, said once: for a step and a person, each move (start, record a check,
 * clock in, clock out, sign off, disposition) with null when it would go through now, or why it
 * would be refused, in the very words the write refuses with. The writes (step-work.service.ts,
 * labor.service.ts) ask these rules over the rows they have locked; the panel's actions, the step
 * action page and My work show what the same rules answer over the same rows (stepMovesFor), so
 * a button is offered, disabled or hidden exactly as the write would decide. The database
 * enforces order, states and checks too (migrations/*-traveler-lifecycle.up.sql).
 */
export type StepKind = 'routing' | 'manual';

export interface StepRef {
  kind: StepKind;
  id: number;
}

export const STEP_MOVES = ['start', 'recordCheck', 'clockIn', 'clockOut', 'signOff', 'disposition'] as const;
export type StepMove = (typeof STEP_MOVES)[number];

/**
 * Why each move would be refused now (null: it would go through), and the moves offered to the
 * person: the ones that would go through, and a sign-off or clock-in held up only by something
 * they can see to (a check left, someone still clocked in, their own clock-in elsewhere), which
 * is shown disabled beside its reason. A move the step's state rules out is not offered.
 */
export type StepMoves = Record<StepMove, string | null> & { offered: StepMove[] };

/** Who may make each move at all: a refusal by role is a 403, before any state is looked at. */
export const MOVE_ROLES: Record<StepMove, Predicate> = {
  start: canWorkSteps,
  recordCheck: canWorkSteps,
  signOff: canWorkSteps,
  clockIn: canClockIn,
  clockOut: canClockIn,
  disposition: canRecordDisposition,
};

export function roleRefusal(move: StepMove, role: Role | undefined): string {
  if (move === 'disposition') return 'Only quality records a disposition.';
  if (move === 'clockIn' || move === 'clockOut') return `Your role (${role ?? 'none'}) may not clock in on steps.`;
  return `Your role (${role ?? 'none'}) may not work steps.`;
}

/** "Step 20 (Turn OD)" or 'The manual step "Extra deburr"': how refusals and notices name a step. */
export function labelOf(kind: StepKind, stepNumber: number, operation: string): string {
  return kind === 'routing' ? `Step ${stepNumber} (${operation})` : `The manual step "${operation}"`;
}

export interface CheckState {
  sequence: number;
  description: string;
  done: boolean;
  outOfLimits: boolean;
  disposition: string | null;
  measuredValue: number | string | null;
}

/** What a refusal to work a step depends on. */
export interface WorkState {
  label: string;
  status: 'pending' | 'in_progress' | 'completed';
  travelerNumber: string;
  travelerStatus: string;
  /** What must be signed off first (traveler_step_blocker); read only for a pending step of a traveler on the floor. */
  blocker: string | null;
}

/** Everything the move rules look at on the step's side. */
export interface MoveState extends WorkState {
  /** Its checks (routing steps only), in sequence. */
  checks: CheckState[];
  /** Everyone clocked in on the step now, earliest first. */
  clockedIn: Array<{ userId: number; name: string }>;
}

/** The person asking: who, their role, and where they are clocked in now ("T-26003 step 10 (Cut bar)"), if anywhere. */
export interface Mover {
  id: number;
  role: Role | undefined;
  clockedInAt: string | null;
}

/** Why the step cannot be worked now (started, measured, clocked in on), or null. */
export function workRefusal(state: WorkState): string | null {
  if (state.status === 'completed') return `${state.label} is already signed off.`;
  if (!['released', 'in_progress'].includes(state.travelerStatus)) {
    return `Traveler ${state.travelerNumber} is ${state.travelerStatus.replace('_', ' ')}: its steps are worked only while it is released or in progress.`;
  }
  if (state.status === 'pending' && state.blocker) {
    return `${state.label} cannot be worked before ${state.blocker} is signed off: steps are worked in order unless the routing marks them parallel.`;
  }
  return null;
}

export function startRefusal(state: WorkState): string | null {
  if (state.status === 'in_progress') return `${state.label} is already started.`;
  return workRefusal(state);
}

/** Why each open check stops a sign-off, in words (empty when none does). */
export function openCheckReasons(checks: readonly CheckState[]): string[] {
  const reasons: string[] = [];
  for (const c of [...checks].sort((a, b) => a.sequence - b.sequence)) {
    if (!c.done) reasons.push(`check ${c.sequence} (${c.description}) is not done`);
    else if (c.outOfLimits && !c.disposition) {
      reasons.push(
        `check ${c.sequence} (${c.description}) measured ${c.measuredValue === null ? '' : Number(c.measuredValue)}, outside its limits: quality must record a disposition`,
      );
    }
  }
  return reasons;
}

/** The sign-off rule. The signer's own clock-in does not stop them: it closes with the sign-off. */
export function signOffRefusal(state: MoveState, signerId: number): string | null {
  const work = workRefusal(state);
  if (work) return work;
  const open = openCheckReasons(state.checks);
  if (open.length) return `${state.label} cannot be signed off: ${open.join('; ')}.`;
  const others = state.clockedIn.filter((e) => e.userId !== signerId).map((e) => e.name);
  if (others.length) {
    return `${state.label} cannot be signed off while ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} still clocked in on it: they clock out first.`;
  }
  return null;
}

export const alreadyClockedIn = (where: string): string => `You are already clocked in on ${where}: clock out there first.`;

/** One person is clocked in on one step at a time; the step must be workable. */
export function clockInRefusal(state: WorkState, clockedInAt: string | null): string | null {
  if (clockedInAt) return alreadyClockedIn(clockedInAt);
  return workRefusal(state);
}

/** "You are not clocked in on step 10 (Cut bar)." */
export const notClockedIn = (label: string): string => `You are not clocked in on ${label.replace(/^The /, 'the ').replace(/^Step/, 'step')}.`;

/** A person's time is theirs to end, whatever became of the step or its traveler since. */
export function clockOutRefusal(state: MoveState, personId: number): string | null {
  return state.clockedIn.some((e) => e.userId === personId) ? null : notClockedIn(state.label);
}

/** Why no check of the step can be decided any more (signed off, or its traveler cancelled), or null. */
export function checksClosedRefusal(state: WorkState): string | null {
  if (state.status === 'completed') return `${state.label} is signed off: its checks cannot change.`;
  if (state.travelerStatus === 'cancelled') return `Traveler ${state.travelerNumber} is cancelled: its checks await no disposition.`;
  return null;
}

export const awaitsDisposition = (check: CheckState): boolean => check.outOfLimits && !check.disposition;

/** Quality's move on a step: one of its checks measured outside its limits waits for a decision. */
export function dispositionRefusal(state: MoveState): string | null {
  return checksClosedRefusal(state) ?? (state.checks.some(awaitsDisposition) ? null : `${state.label} has no check awaiting a disposition.`);
}

/** The moves of one step for one person. */
export function stepMoves(state: MoveState, person: Mover): StepMoves {
  const user = person.role === undefined ? null : { id: person.id, username: '', email: '', title: '', role: person.role };
  const refusals: Record<StepMove, string | null> = {
    start: startRefusal(state),
    recordCheck: workRefusal(state),
    clockIn: clockInRefusal(state, person.clockedInAt),
    clockOut: clockOutRefusal(state, person.id),
    signOff: signOffRefusal(state, person.id),
    disposition: dispositionRefusal(state),
  };
  for (const move of STEP_MOVES) if (!MOVE_ROLES[move](user)) refusals[move] = roleRefusal(move, person.role);
  const workable = workRefusal(state) === null;
  const here = state.clockedIn.some((e) => e.userId === person.id);
  const offered = STEP_MOVES.filter(
    (move) => MOVE_ROLES[move](user) && (refusals[move] === null || (workable && (move === 'signOff' || (move === 'clockIn' && !here)))),
  );
  return { ...refusals, offered };
}

// ------------------------------------------------------------------ reading the rows

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
