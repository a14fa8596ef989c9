import type { Server } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { sealAuditLog, type SealResult } from '../src/audit/audit-seal.service.js';
import { verifyAuditLog } from '../src/audit/audit-verify.service.js';
import type { Role } from '../src/auth/roles.js';
import { sealAllAuditRows } from './support/audit-seal.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * Load: many signed-in sessions at once, over real sockets on loopback, each running a bounded
 * script of mixed edits, approval requests and decisions on a deliberately small set of shared
 * records. The interleaving is whatever the scheduler makes of it; what is proved afterwards
 * holds for every interleaving:
 *   - no response is a server error;
 *   - every applied change has exactly its audit row, attributed to the session that made it,
 *     and nothing changed that no client was told was applied;
 *   - no lost update: per record, the applied writes form one chain (each replaced what its
 *     writer had read, on consecutive versions), and the database holds the last one;
 *   - every approval request was decided at most once, and an approved change applied once;
 *   - the audit hash chain, sealed while the load ran and once after, verifies.
 *
 * Size: LOAD_SESSIONS sessions x LOAD_OPERATIONS operations (small defaults for CI). The scripts
 * (each operation's kind, record and value) are drawn from LOAD_SEED, so a run repeats the same
 * plan; which request a decision picks depends on what the others did before it.
 */

function sizeFromEnv(name: string, fallback: number, max: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new Error(`${name} must be a whole number from 1 to ${max} (got "${raw}")`);
  return n;
}

const SESSIONS = sizeFromEnv('LOAD_SESSIONS', 12, 200);
const OPERATIONS = sizeFromEnv('LOAD_OPERATIONS', 10, 500);
const SEED = sizeFromEnv('LOAD_SEED', 20261126, 2 ** 31 - 1);
/** The sealer job runs alongside the writers: once every this many finished operations. */
const SEAL_EVERY = 25;
const REQUEST_TIMEOUT_MS = 30_000;

// ---------------------------------------------------------------- the plan

type OpKind = 'edit' | 'staleEdit' | 'request' | 'decide' | 'doubleApprove' | 'withdraw' | 'read' | 'forbidden';

/** Who does what, by role: weights of each kind of operation in a session's script. */
const MIX: Partial<Record<Role, Array<[OpKind, number]>>> = {
  engineer: [
    ['edit', 50],
    ['request', 22],
    ['withdraw', 6],
    ['staleEdit', 6],
    ['read', 16],
  ],
  admin: [
    ['edit', 30],
    ['request', 15],
    ['decide', 30],
    ['staleEdit', 5],
    ['read', 20],
  ],
  approver: [
    ['decide', 50],
    ['doubleApprove', 10],
    ['read', 33],
    ['forbidden', 7],
  ],
  operator: [
    ['read', 80],
    ['forbidden', 20],
  ],
};
const ROLE_CYCLE: Role[] = ['engineer', 'approver', 'admin', 'engineer', 'approver', 'operator'];

/** A small deterministic generator (mulberry32): the plan is repeatable, the timing is not. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(random: () => number, options: Array<[T, number]>): T {
  const total = options.reduce((sum, [, w]) => sum + w, 0);
  let r = random() * total;
  for (const [value, w] of options) {
    r -= w;
    if (r < 0) return value;
  }
  return options[options.length - 1]![0];
}

type Table = 'customers' | 'work_orders' | 'travelers';

/** A shared field that many sessions edit: the contention is the point. */
interface EditTarget {
  table: Table;
  id: number;
  field: string;
  label: string;
}

/** A released traveler whose quantity can only change through an approved request. */
interface QuantityTarget {
  id: number;
  label: string;
}

// ---------------------------------------------------------------- what the clients saw

interface Reply {
  status: number;
  requestId: string | null;
  body: Record<string, any>;
  error?: string;
}

/** Every HTTP exchange of the run. */
interface Exchange {
  session: number;
  kind: string;
  method: 'GET' | 'POST';
  path: string;
  status: number;
  requestId: string | null;
  ms: number;
  detail: string;
}

/** A form save: what was written, on which version, having read which value. */
interface EditOutcome {
  session: number;
  userId: number;
  userAgent: string;
  target: EditTarget;
  value: string;
  baseVersion: number;
  /** The field's value in the record the session had loaded (the one it meant to replace). */
  seen: string | null;
  forcedStale: boolean;
  client: Session['client'];
  requestId: string | null;
  status: number;
  result: 'applied' | 'stale' | 'other';
  message: string;
}

/** A quantity change submitted for approval (or refused as stale before it became a request). */
interface RequestOutcome {
  session: number;
  userId: number;
  traveler: QuantityTarget;
  quantity: number;
  baseVersion: number;
  seen: string | null;
  client: Session['client'];
  requestId: string | null;
  status: number;
  result: 'submitted' | 'stale' | 'other';
  approvalId: number | null;
  message: string;
}

interface DecisionOutcome {
  session: number;
  userId: number;
  userAgent: string;
  approvalId: number;
  decision: 'approve' | 'reject' | 'withdraw';
  requestId: string | null;
  status: number;
  message: string;
}

interface ForbiddenOutcome {
  session: number;
  userId: number;
  role: Role;
  requestId: string | null;
  status: number;
}

interface Session {
  index: number;
  role: Role;
  /**
   * The panel's own page in a browser (fetch metadata says so: refusals come back as 200 with the
   * reasons on the form), or a program calling the API (refusals get their real status).
   */
  client: 'panel' | 'api';
  userId: number;
  username: string;
  userAgent: string;
  agent: TestAgent;
  /** This operation's choices (a target, approve or reject): drawn afresh for each operation. */
  random: () => number;
  plan: OpKind[];
}

const TABLES: Table[] = ['customers', 'work_orders', 'travelers'];

let t: TestApp;
let server: Server;
let base: string;
let sessions: Session[] = [];
let editTargets: EditTarget[] = [];
let quantityTargets: QuantityTarget[] = [];
/** Each contended record as it was before the run: version and field values (as audit text). */
const initial = new Map<string, { version: number; values: Record<string, string | null> }>();
let auditBaseline = '0';
let approvalBaseline = 0;

const exchanges: Exchange[] = [];
const edits: EditOutcome[] = [];
const requests: RequestOutcome[] = [];
const decisions: DecisionOutcome[] = [];
const forbidden: ForbiddenOutcome[] = [];
const seals: SealResult[] = [];
const sealErrors: string[] = [];
let runMs = 0;

/** What a field holds, as the audit trail writes it (text, or null for empty). */
function asText(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  return String(value);
}

function recordKey(table: string, id: number | string): string {
  return `${table}#${id}`;
}

async function rows<R extends Record<string, any>>(sql: string, params: unknown[] = []): Promise<R[]> {
  return (await t.db.query<R>(sql, params)).rows;
}

// ---------------------------------------------------------------- talking to the server

async function send(s: Session, kind: string, method: 'GET' | 'POST', path: string, fields: Record<string, string | number> = {}): Promise<Reply> {
  let req = method === 'GET' ? s.agent.get(path) : s.agent.post(path);
  // A hung request (a deadlock, a starved pool) is recorded as a failure instead of hanging the run.
  req = req.timeout({ response: REQUEST_TIMEOUT_MS }).set('User-Agent', s.userAgent);
  if (s.client === 'panel') {
    req = req.set('Sec-Fetch-Site', 'same-origin').set('Sec-Fetch-Mode', 'cors');
    if (method === 'POST') req = req.set('Origin', base);
  }
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  let reply: Reply;
  const started = performance.now();
  try {
    const res = await req;
    const body = (res.body && typeof res.body === 'object' ? res.body : {}) as Record<string, any>;
    reply = { status: res.status, requestId: (res.headers['x-request-id'] as string | undefined) ?? null, body };
  } catch (error) {
    reply = { status: 0, requestId: null, body: {}, error: error instanceof Error ? error.message : String(error) };
  }
  const detail = reply.error ?? (reply.status >= 500 ? JSON.stringify(reply.body).slice(0, 300) : String(reply.body.notice?.message ?? ''));
  exchanges.push({
    session: s.index,
    kind,
    method,
    path,
    status: reply.status,
    requestId: reply.requestId,
    ms: Math.round(performance.now() - started),
    detail,
  });
  return reply;
}

function recordPath(table: string, id: number, action: string): string {
  return `/admin/api/resources/${table}/records/${id}/${action}`;
}

/** Loads the record as the edit form would: its version and the field's current value. */
async function load(s: Session, table: string, id: number, field: string): Promise<{ version: number; seen: string | null } | null> {
  const shown = await send(s, 'show', 'GET', recordPath(table, id, 'show'));
  const params = shown.body.record?.params as Record<string, unknown> | undefined;
  if (shown.status !== 200 || !params) return null;
  return { version: Number(params.version), seen: asText(params[field]) };
}

/**
 * What became of a save, from the body alone (the status is checked separately): applied,
 * refused because someone saved first, or held back as an approval request.
 */
function saveResult(body: Record<string, any>): 'applied' | 'stale' | 'submitted' | 'other' {
  const notice = body.notice as { type?: string } | undefined;
  if (body.record?.baseError?.type === 'StaleRecordError') return 'stale';
  if (notice?.type === 'info' && Number(body.approvalId) > 0) return 'submitted';
  if (notice?.type === 'success') return 'applied';
  return 'other';
}

/**
 * The status each client should get for each outcome of a save. The panel's page needs 200 to
 * show a refusal on the form; a program gets the real status: 409 when someone saved first, 202
 * when the change was accepted as a request but not applied.
 */
function expectedSaveStatus(client: Session['client'], result: string): number {
  if (client === 'panel') return 200;
  return result === 'stale' ? 409 : result === 'submitted' ? 202 : 200;
}

// ---------------------------------------------------------------- operations

async function editOp(s: Session, op: number, forceStale: boolean): Promise<void> {
  const target = editTargets[Math.floor(s.random() * editTargets.length)]!;
  const loaded = await load(s, target.table, target.id, target.field);
  if (!loaded) return;
  // Every write is unique, so that every applied one is a real change with its own audit row.
  const value = `load s${s.index} op${op}`;
  // A version older than the one just read can never be current again: refused, whatever the timing.
  const baseVersion = forceStale ? loaded.version - 1 : loaded.version;
  const res = await send(s, forceStale ? 'staleEdit' : 'edit', 'POST', recordPath(target.table, target.id, 'edit'), {
    version: baseVersion,
    [target.field]: value,
  });
  const notice = res.body.notice as { type?: string; message?: string } | undefined;
  const outcome = saveResult(res.body);
  const result = outcome === 'submitted' ? 'other' : outcome;
  edits.push({
    session: s.index,
    userId: s.userId,
    userAgent: s.userAgent,
    target,
    value,
    baseVersion,
    seen: loaded.seen,
    forcedStale: forceStale,
    client: s.client,
    requestId: res.requestId,
    status: res.status,
    result,
    message: notice?.message ?? res.error ?? '',
  });
}

async function requestOp(s: Session, op: number): Promise<void> {
  const traveler = quantityTargets[Math.floor(s.random() * quantityTargets.length)]!;
  const loaded = await load(s, 'travelers', traveler.id, 'quantity');
  if (!loaded) return;
  const quantity = 1000 + s.index * 1000 + op;
  const res = await send(s, 'request', 'POST', recordPath('travelers', traveler.id, 'edit'), {
    version: loaded.version,
    quantity,
    change_reason: `Load test: session ${s.index} operation ${op}`,
  });
  const notice = res.body.notice as { type?: string; message?: string } | undefined;
  const outcome = saveResult(res.body);
  const result = outcome === 'applied' ? 'other' : outcome;
  const approvalId = result === 'submitted' ? Number(res.body.approvalId) : null;
  requests.push({
    session: s.index,
    userId: s.userId,
    traveler,
    quantity,
    baseVersion: loaded.version,
    seen: loaded.seen,
    client: s.client,
    requestId: res.requestId,
    status: res.status,
    result,
    approvalId,
    message: notice?.message ?? res.error ?? '',
  });
}

/** Requests this session may decide, newest first among those no client has seen decided yet. */
function pickRequest(s: Session, mine: boolean): RequestOutcome | undefined {
  const submitted = requests.filter((r) => r.result === 'submitted' && (mine ? r.userId === s.userId : r.userId !== s.userId));
  if (submitted.length === 0) return undefined;
  // Decided (200), or refused because it no longer was pending (409).
  const settled = new Set(decisions.filter((d) => d.status === 200 || d.status === 409).map((d) => d.approvalId));
  const open = submitted.filter((r) => !settled.has(r.approvalId!));
  // The newest few: where other sessions are deciding too. When all are settled, a late decision
  // on a settled one must be refused (409).
  const pool = open.length ? open.slice(-4) : submitted;
  return pool[Math.floor(s.random() * pool.length)];
}

async function decideOp(s: Session, approvalId: number, decision: DecisionOutcome['decision'], kind: string): Promise<void> {
  const fields: Record<string, string> =
    decision === 'withdraw' ? {} : decision === 'reject' ? { password: TEST_PASSWORD, comment: 'Load test: not needed' } : { password: TEST_PASSWORD };
  const res = await send(s, kind, 'POST', recordPath('approvals', approvalId, decision), fields);
  decisions.push({
    session: s.index,
    userId: s.userId,
    userAgent: s.userAgent,
    approvalId,
    decision,
    requestId: res.requestId,
    status: res.status,
    message: String(res.body.notice?.message ?? res.error ?? ''),
  });
}

async function readOp(s: Session): Promise<void> {
  const table = (['customers', 'work_orders', 'travelers', 'approvals'] as const)[Math.floor(s.random() * 4)]!;
  await send(s, 'read', 'GET', `/admin/api/resources/${table}/actions/list?page=1`);
  if (table !== 'approvals') {
    const target = editTargets.filter((e) => e.table === table)[0];
    if (target) await send(s, 'read', 'GET', recordPath(table, target.id, 'show'));
  }
}

/** A role that may not edit customers tries anyway, by a direct call: refused, nothing written. */
async function forbiddenOp(s: Session, op: number): Promise<void> {
  const target = editTargets.find((e) => e.table === 'customers')!;
  const res = await send(s, 'forbidden', 'POST', recordPath('customers', target.id, 'edit'), { version: 0, [target.field]: `forbidden s${s.index} op${op}` });
  forbidden.push({ session: s.index, userId: s.userId, role: s.role, requestId: res.requestId, status: res.status });
}

async function runOperation(s: Session, kind: OpKind, op: number): Promise<void> {
  switch (kind) {
    case 'edit':
    case 'staleEdit':
      return editOp(s, op, kind === 'staleEdit');
    case 'request':
      return requestOp(s, op);
    case 'decide': {
      const request = pickRequest(s, false);
      if (!request) return readOp(s);
      return decideOp(s, request.approvalId!, s.random() < 0.75 ? 'approve' : 'reject', 'decide');
    }
    case 'doubleApprove': {
      // A double click, or two tabs: the same approval sent twice at once.
      const request = pickRequest(s, false);
      if (!request) return readOp(s);
      await Promise.all([decideOp(s, request.approvalId!, 'approve', 'doubleApprove'), decideOp(s, request.approvalId!, 'approve', 'doubleApprove')]);
      return;
    }
    case 'withdraw': {
      const request = pickRequest(s, true);
      if (!request) return readOp(s);
      return decideOp(s, request.approvalId!, 'withdraw', 'withdraw');
    }
    case 'read':
      return readOp(s);
    case 'forbidden':
      return forbiddenOp(s, op);
  }
}

/** The sealer job, as the server runs it, meanwhile: never two at once. */
let sealing: Promise<void> | null = null;
let finished = 0;
function maybeSeal(): void {
  finished += 1;
  if (finished % SEAL_EVERY !== 0 || sealing) return;
  sealing = sealAuditLog(t.db.sequelize)
    .then((r) => {
      seals.push(r);
    })
    .catch((error: unknown) => {
      sealErrors.push(error instanceof Error ? error.message : String(error));
    })
    .finally(() => {
      sealing = null;
    });
}

async function runSession(s: Session): Promise<void> {
  for (let op = 0; op < s.plan.length; op++) {
    // Seeded per operation, so that each one's choices do not depend on how the others went.
    s.random = generator(SEED + s.index * 7919 + (op + 1) * 104_729);
    await runOperation(s, s.plan[op]!, op);
    maybeSeal();
  }
}

// ---------------------------------------------------------------- setup and the run

async function createSessionUsers(): Promise<Array<{ index: number; role: Role; id: number; username: string }>> {
  // One password hash for all: the load is on the app, not on argon2 at setup.
  const created: Array<{ index: number; role: Role; id: number; username: string }> = [];
  for (let index = 0; index < SESSIONS; index++) {
    const role = ROLE_CYCLE[index % ROLE_CYCLE.length]!;
    const username = `load.${role}.${index}`;
    const [row] = await rows<{ id: number }>(
      `INSERT INTO users (username, email, full_name, role, password_hash)
       SELECT $1, $2, $3, $4, password_hash FROM users WHERE username = 'engineer.user' RETURNING id`,
      [username, `${username}@load.example`, `Load ${role} ${index}`, role],
    );
    created.push({ index, role, id: row!.id, username });
  }
  return created;
}

async function signIn(username: string): Promise<TestAgent> {
  const agent = supertest.agent(base);
  const res = await agent.post('/admin/login').type('form').send({ email: username, password: TEST_PASSWORD });
  if (res.status !== 302 || !/^\/admin(\/pages\/myWork)?$/.test(String(res.headers.location)))
    throw new Error(`sign-in as ${username} failed: ${res.status} ${res.headers.location}`);
  return agent;
}

async function resolveTargets(floor: Floor): Promise<void> {
  const { aero, hydro } = floor.customers;
  const { running, open } = floor.workOrders;
  editTargets = [
    { table: 'customers', id: aero.id, field: 'phone', label: `${aero.code} phone` },
    // Two fields of one record: different fields, one version, so they contend too.
    { table: 'customers', id: aero.id, field: 'contact_name', label: `${aero.code} contact` },
    { table: 'customers', id: hydro.id, field: 'contact_name', label: `${hydro.code} contact` },
    { table: 'work_orders', id: running.id, field: 'notes', label: `${running.number} notes` },
    { table: 'work_orders', id: open.id, field: 'notes', label: `${open.number} notes` },
    { table: 'travelers', id: floor.draft.id, field: 'notes', label: `${floor.draft.number} (draft) notes` },
    // Notes of a released traveler are not locked content, but each save makes its pending
    // quantity requests stale: edits and approvals race on the same version.
    { table: 'travelers', id: floor.released.id, field: 'notes', label: `${floor.released.number} (released) notes` },
  ];
  quantityTargets = [
    { id: floor.released.id, label: `${floor.released.number} (released)` },
    { id: floor.running.id, label: `${floor.running.number} (in progress)` },
    { id: floor.held.id, label: `${floor.held.number} (on hold)` },
  ];
  const fields = new Map<string, Set<string>>();
  for (const e of editTargets) fields.set(recordKey(e.table, e.id), (fields.get(recordKey(e.table, e.id)) ?? new Set()).add(e.field));
  for (const q of quantityTargets) fields.set(recordKey('travelers', q.id), (fields.get(recordKey('travelers', q.id)) ?? new Set()).add('quantity'));
  for (const [key, names] of fields) {
    const [table, id] = key.split('#') as [Table, string];
    const [row] = await rows<{ r: Record<string, unknown> }>(`SELECT to_jsonb(x) AS r FROM ${table} x WHERE id = $1`, [Number(id)]);
    const values = Object.fromEntries([...names].map((f) => [f, asText(row!.r[f])]));
    initial.set(key, { version: Number(row!.r.version), values });
  }
}

beforeAll(
  async () => {
    t = await createTestApp();
    const floor = await buildFloor(t.db);
    server = await new Promise<Server>((resolve) => {
      const s = t.app.listen(0, '127.0.0.1', () => resolve(s));
    });
    const address = server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    await resolveTargets(floor);

    const users = await createSessionUsers();
    const agents = await Promise.all(users.map((u) => signIn(u.username)));
    sessions = users.map((u, i) => {
      const planner = generator(SEED + u.index * 7919);
      const mix = MIX[u.role]!;
      return {
        index: u.index,
        role: u.role,
        // Half the sessions (by whole role cycles) are panel pages, half API programs.
        client: Math.floor(u.index / ROLE_CYCLE.length) % 2 === 0 ? 'panel' : 'api',
        userId: u.id,
        username: u.username,
        userAgent: `nexus-load/${u.index}`,
        agent: agents[i]!,
        random: planner,
        plan: Array.from({ length: OPERATIONS }, () => weighted(planner, mix)),
      };
    });
    auditBaseline = (await rows<{ id: string }>('SELECT coalesce(max(id), 0)::text AS id FROM audit_logs'))[0]!.id;
    approvalBaseline = (await rows<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM approvals'))[0]!.id;

    const started = Date.now();
    await Promise.all(sessions.map((s) => runSession(s)));
    // The sealer's last batch finishes before anything is checked.
    while (sealing) await sealing;
    runMs = Date.now() - started;
  },
  Math.max(120_000, SESSIONS * OPERATIONS * 1_000),
);

afterAll(async () => {
  if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  await t?.close();
});

// ---------------------------------------------------------------- what is proved

interface AuditRow {
  id: string;
  change_id: string;
  action: string;
  table_name: string | null;
  record_id: string | null;
  field_name: string | null;
  old_value: string | null;
  new_value: string | null;
  actor_id: number | null;
  ip: string | null;
  user_agent: string | null;
  request_id: string | null;
  approval_id: number | null;
}

async function auditSince(): Promise<AuditRow[]> {
  return rows<AuditRow>(
    `SELECT id::text AS id, change_id::text AS change_id, action, table_name, record_id, field_name, old_value, new_value,
            actor_id, host(ip_address) AS ip, user_agent, request_id, approval_id
       FROM audit_logs WHERE id > $1::bigint ORDER BY id`,
    [auditBaseline],
  );
}

/** Median and slowest answer per kind of call. */
function latencies(): Record<string, string> {
  const byKind = new Map<string, number[]>();
  for (const e of exchanges) byKind.set(e.kind, [...(byKind.get(e.kind) ?? []), e.ms]);
  return Object.fromEntries(
    [...byKind]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([kind, ms]) => {
        const sorted = [...ms].sort((a, b) => a - b);
        return [kind, `p50 ${sorted[Math.floor(sorted.length / 2)]} max ${sorted[sorted.length - 1]}`];
      }),
  );
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

/** A write to a contended record that a client was told was applied: a form save or an approval. */
interface AppliedWrite {
  table: Table;
  recordId: number;
  field: string;
  value: string;
  seen: string | null;
  baseVersion: number;
  userId: number;
  userAgent: string;
  requestId: string;
  approvalId: number | null;
  what: string;
}

async function appliedWrites(): Promise<AppliedWrite[]> {
  const applied: AppliedWrite[] = edits
    .filter((e) => e.result === 'applied')
    .map((e) => ({
      table: e.target.table,
      recordId: e.target.id,
      field: e.target.field,
      value: e.value,
      seen: e.seen,
      baseVersion: e.baseVersion,
      userId: e.userId,
      userAgent: e.userAgent,
      requestId: e.requestId!,
      approvalId: null,
      what: `edit of ${e.target.label} by session ${e.session}`,
    }));
  const approved = decisions.filter((d) => d.decision === 'approve' && d.status === 200);
  const byId = new Map(requests.filter((r) => r.approvalId).map((r) => [r.approvalId!, r]));
  for (const d of approved) {
    const request = byId.get(d.approvalId)!;
    applied.push({
      table: 'travelers',
      recordId: request.traveler.id,
      field: 'quantity',
      value: String(request.quantity),
      seen: request.seen,
      baseVersion: request.baseVersion,
      userId: d.userId,
      userAgent: d.userAgent,
      requestId: d.requestId!,
      approvalId: d.approvalId,
      what: `approval #${d.approvalId} of ${request.traveler.label} by session ${d.session}`,
    });
  }
  return applied;
}

describe(`load: ${SESSIONS} concurrent sessions x ${OPERATIONS} operations over loopback`, () => {
  it('answers every request without a server error, with the status each kind of call should get', () => {
    const summary = {
      sessions: SESSIONS,
      operationsPerSession: OPERATIONS,
      seed: SEED,
      runMs,
      httpRequests: exchanges.length,
      statuses: countBy(exchanges, (e) => `${e.kind} ${e.status}`),
      latencyMs: latencies(),
      edits: countBy(edits, (e) => `${e.forcedStale ? 'forced-stale' : 'edit'} ${e.result} (${e.client} ${e.status})`),
      requests: countBy(requests, (r) => `${r.result} (${r.client} ${r.status})`),
      decisions: countBy(decisions, (d) => `${d.decision} ${d.status}`),
      seals: seals.length,
    };
    console.log(`load run: ${JSON.stringify(summary, null, 1)}`);

    const serverErrors = exchanges.filter((e) => e.status >= 500 || e.status === 0);
    expect(serverErrors).toEqual([]);
    expect(sealErrors).toEqual([]);
    expect(exchanges.filter((e) => ['read', 'show'].includes(e.kind) && e.status !== 200)).toEqual([]);
    // A save either applied, was held back for approval, or was refused because someone else saved
    // first: nothing else.
    expect(edits.filter((e) => e.result === 'other')).toEqual([]);
    expect(requests.filter((r) => r.result === 'other')).toEqual([]);
    // Each with its status (see expectedSaveStatus).
    const wrongStatus = [...edits, ...requests]
      .filter((o) => o.status !== expectedSaveStatus(o.client, o.result))
      .map((o) => ({
        client: o.client,
        result: o.result,
        status: o.status,
        expected: expectedSaveStatus(o.client, o.result),
        requestId: o.requestId,
        message: o.message,
      }));
    expect(wrongStatus).toEqual([]);
    // A save on a version older than the one read is always refused.
    expect(edits.filter((e) => e.forcedStale && e.result !== 'stale')).toEqual([]);
    // A decision is made (200) or refused as already decided or stale (409); never anything else.
    expect(decisions.filter((d) => d.status !== 200 && d.status !== 409)).toEqual([]);
    // A role without the right is refused by direct call (403).
    expect(forbidden.filter((f) => f.status !== 403)).toEqual([]);
    expect(exchanges.length).toBeGreaterThanOrEqual(SESSIONS * OPERATIONS);
  });

  it('gives every applied change exactly its audit row, by the session that made it, and records no change that no client was told of', async () => {
    const audit = await auditSince();
    const changes = audit.filter((a) => a.action === 'update' && TABLES.includes(a.table_name as Table));
    const byRequest = new Map<string, AuditRow[]>();
    for (const row of changes) byRequest.set(row.request_id ?? '', [...(byRequest.get(row.request_id ?? '') ?? []), row]);

    const mismatches: string[] = [];
    for (const w of await appliedWrites()) {
      const found = byRequest.get(w.requestId) ?? [];
      byRequest.delete(w.requestId);
      const expected = {
        table_name: w.table,
        record_id: String(w.recordId),
        field_name: w.field,
        old_value: w.seen,
        new_value: w.value,
        actor_id: w.userId,
        ip: '127.0.0.1',
        user_agent: w.userAgent,
        request_id: w.requestId,
        approval_id: w.approvalId,
      };
      const actual = found.map(({ id: _id, change_id: _change, action: _action, ...rest }) => rest);
      if (!isDeepStrictEqual(actual, [expected])) mismatches.push(`${w.what}: expected ${JSON.stringify(expected)}, audit has ${JSON.stringify(actual)}`);
    }
    expect(mismatches).toEqual([]);
    // What is left was changed without any client being told it was applied.
    expect([...byRequest.values()].flat()).toEqual([]);

    // A refused save (stale, or forbidden) wrote nothing at all.
    const refusedIds = new Set([
      ...edits.filter((e) => e.result !== 'applied').map((e) => e.requestId),
      ...requests.filter((r) => r.result === 'stale').map((r) => r.requestId),
      ...forbidden.map((f) => f.requestId),
    ]);
    expect(audit.filter((a) => refusedIds.has(a.request_id) && ['create', 'update', 'delete'].includes(a.action))).toEqual([]);

    // A call refused for the role leaves one trace, by the user who tried, under its request id.
    const denied = audit.filter((a) => a.action === 'access_denied');
    const traces = forbidden.map((f) => ({
      session: f.session,
      events: denied.filter((a) => a.request_id === f.requestId).map((a) => ({ actor_id: a.actor_id, table_name: a.table_name, ip: a.ip })),
    }));
    expect(traces).toEqual(forbidden.map((f) => ({ session: f.session, events: [{ actor_id: f.userId, table_name: 'customers', ip: '127.0.0.1' }] })));
  });

  it('loses no update: per record the applied writes form one chain, each on the next version, and the database holds the last', async () => {
    const writes = await appliedWrites();
    // Writes were applied on the contended records, so there is a chain to check.
    expect(initial.size).toBeGreaterThan(0);
    expect(writes.length).toBeGreaterThan(0);
    const audit = await auditSince();
    const auditIdOf = new Map(audit.filter((a) => a.action === 'update' && TABLES.includes(a.table_name as Table)).map((a) => [a.request_id, BigInt(a.id)]));
    const ordered = writes
      .map((w) => ({ ...w, auditId: auditIdOf.get(w.requestId) ?? -1n }))
      .sort((a, b) => (a.auditId < b.auditId ? -1 : a.auditId > b.auditId ? 1 : 0));

    for (const [key, start] of initial) {
      const [table, id] = key.split('#') as [Table, string];
      const onRecord = ordered.filter((w) => w.table === table && w.recordId === Number(id));
      // Writes serialise on the row: the n-th applied write was based on the n-th version.
      expect({ key, bases: onRecord.map((w) => w.baseVersion) }).toEqual({ key, bases: onRecord.map((_, i) => start.version + i) });
      const [row] = await rows<{ r: Record<string, unknown> }>(`SELECT to_jsonb(x) AS r FROM ${table} x WHERE id = $1`, [Number(id)]);
      expect({ key, version: Number(row!.r.version) }).toEqual({ key, version: start.version + onRecord.length });

      for (const [field, first] of Object.entries(start.values)) {
        const chain = onRecord.filter((w) => w.field === field);
        // Each write replaced exactly the value the previous one left (and its writer had read).
        const links = chain.map((w, i) => ({ write: w.what, replaced: w.seen, previous: i === 0 ? first : chain[i - 1]!.value }));
        expect(links.filter((l) => l.replaced !== l.previous)).toEqual([]);
        const last = chain.length ? chain[chain.length - 1]!.value : first;
        expect({ key, field, value: asText(row!.r[field]) }).toEqual({ key, field, value: last });
      }
    }
  });

  it('decides every approval request at most once, applies an approved change exactly once, and the losers of a race get 409', async () => {
    const submitted = requests.filter((r) => r.result === 'submitted');
    // Exactly the requests the clients were told of exist; a refused (stale) request made none.
    const made = await rows<{ id: number }>('SELECT id FROM approvals WHERE id > $1 ORDER BY id', [approvalBaseline]);
    expect(made.map((a) => a.id)).toEqual(submitted.map((r) => r.approvalId!).sort((a, b) => a - b));

    const stored = new Map(
      (
        await rows<{
          id: number;
          status: string;
          requested_by_id: number;
          decided_by_id: number | null;
          base_version: number;
          changes: Record<string, { old: unknown; new: unknown }>;
          target_id: number;
        }>('SELECT id, status, requested_by_id, decided_by_id, base_version, changes, target_id FROM approvals WHERE id > $1', [approvalBaseline])
      ).map((a) => [a.id, a]),
    );
    const audit = await auditSince();
    const problems: string[] = [];
    for (const r of submitted) {
      const approval = stored.get(r.approvalId!)!;
      const label = `request #${r.approvalId} (session ${r.session}, ${r.traveler.label} -> ${r.quantity})`;
      // The request holds the exact diff and the version it was based on, by its requester.
      const expected = {
        requested_by_id: r.userId,
        base_version: r.baseVersion,
        target_id: r.traveler.id,
        changes: { quantity: { old: Number(r.seen), new: r.quantity } },
      };
      const actual = {
        requested_by_id: approval.requested_by_id,
        base_version: approval.base_version,
        target_id: approval.target_id,
        changes: approval.changes,
      };
      if (!isDeepStrictEqual(actual, expected)) problems.push(`${label}: stored ${JSON.stringify(actual)}`);
      if (
        !audit.some(
          (a) =>
            a.action === 'create' &&
            a.table_name === 'approvals' &&
            a.record_id === String(r.approvalId) &&
            a.actor_id === r.userId &&
            a.request_id === r.requestId,
        )
      ) {
        problems.push(`${label}: no audit row of its creation`);
      }

      const tries = decisions.filter((d) => d.approvalId === r.approvalId);
      const won = tries.filter((d) => d.status === 200);
      const lost = tries.filter((d) => d.status === 409);
      const staleRefusals = lost.filter((d) => /is stale/.test(d.message));
      const expectedStatus =
        won.length === 1 ? { approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' }[won[0]!.decision] : staleRefusals.length ? 'stale' : 'pending';
      if (won.length > 1) problems.push(`${label}: decided ${won.length} times (${won.map((d) => d.decision).join(', ')})`);
      if (won.length === 1 && staleRefusals.length) problems.push(`${label}: both decided and refused as stale`);
      if (approval.status !== expectedStatus) problems.push(`${label}: status ${approval.status}, the clients were told ${expectedStatus}`);
      if (won[0] && won[0].decision !== 'withdraw' && approval.decided_by_id !== won[0].userId)
        problems.push(`${label}: decided by ${approval.decided_by_id}, not session ${won[0].session}`);
      // Every loser was told what happened: already decided (as it now stands), or stale.
      for (const d of lost) {
        const already = /already (\w+)/.exec(d.message)?.[1];
        if (!(
          already === approval.status ||
          (d.decision === 'approve' && approval.status === 'stale' && /is stale/.test(d.message)) ||
          /decided by someone else/.test(d.message)
        )) {
          problems.push(`${label}: ${d.decision} by session ${d.session} refused with "${d.message}" while it is ${approval.status}`);
        }
      }

      // The request's own state changed once: pending -> its decision, in one audit row.
      const transitions = audit.filter(
        (a) => a.table_name === 'approvals' && a.action === 'update' && a.record_id === String(r.approvalId) && a.field_name === 'status',
      );
      const expectedTransitions = approval.status === 'pending' ? [] : [{ old_value: 'pending', new_value: approval.status }];
      if (
        !isDeepStrictEqual(
          transitions.map((a) => ({ old_value: a.old_value, new_value: a.new_value })),
          expectedTransitions,
        )
      ) {
        problems.push(`${label}: status audit ${JSON.stringify(transitions.map((a) => [a.old_value, a.new_value]))}`);
      }
      // The change itself: applied exactly once when approved, pointing to the request; never otherwise.
      const appliedRows = audit.filter((a) => a.approval_id === r.approvalId && a.table_name === 'travelers');
      const expectedApplied =
        approval.status === 'approved'
          ? [{ field_name: 'quantity', new_value: String(r.quantity), actor_id: won[0]!.userId, request_id: won[0]!.requestId }]
          : [];
      const actualApplied = appliedRows.map((a) => ({ field_name: a.field_name, new_value: a.new_value, actor_id: a.actor_id, request_id: a.request_id }));
      if (!isDeepStrictEqual(actualApplied, expectedApplied)) problems.push(`${label} (${approval.status}): applied rows ${JSON.stringify(actualApplied)}`);
    }
    expect(problems).toEqual([]);

    // A 409 that lost a race wrote no change; a refusal as stale wrote only the request's new state.
    const lostIds = new Set(decisions.filter((d) => d.status === 409).map((d) => d.requestId));
    const written = audit.filter((a) => lostIds.has(a.request_id) && ['create', 'update', 'delete'].includes(a.action));
    expect(
      written.filter((a) => !(a.table_name === 'approvals' && a.field_name !== null && ['status', 'decided_at', 'decision_comment'].includes(a.field_name))),
    ).toEqual([]);
  });

  it('leaves no transaction open, seals the trail (also while the load ran), and the chain verifies over every audit row', async () => {
    // Nothing of the run is still holding a transaction (a leaked one would also stall the sealer).
    const open = await rows<{ pid: number; state: string; query: string }>(
      `SELECT pid, state, left(query, 120) AS query FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND (state LIKE 'idle in transaction%' OR backend_xid IS NOT NULL)`,
    );
    expect(open).toEqual([]);

    // The sealer chains a row once its transaction is below the oldest transaction running on the
    // whole server (a cluster-wide horizon): a long transaction of another database on a shared
    // server (another test file) can hold it back for a while, so this seals until every row is in.
    const sealed = await sealAllAuditRows(t.db.sequelize);
    const report = await verifyAuditLog(t.db.sequelize);
    const [{ n }] = (await rows<{ n: number }>('SELECT count(*)::int AS n FROM audit_logs')) as [{ n: number }];
    console.log(
      `audit: ${n} rows; ${seals.reduce((sum, r) => sum + r.rowsSealed, 0)} sealed during the run (${seals.length} seals), ${sealed.rowsSealed} after; ` +
        `verified ${report.rowsChecked}, pending ${report.rowsPending}`,
    );
    expect(report).toMatchObject({ ok: true, problem: null, lastPosition: report.rowsChecked });
    expect(report.rowsChecked + report.rowsPending).toBe(n);
    expect({ rowsChecked: report.rowsChecked, rowsPending: report.rowsPending }).toEqual({ rowsChecked: n, rowsPending: 0 });
  });
});
