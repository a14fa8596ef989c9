import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { createAdmin } from '../src/admin/admin.js';
import type { Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { MANIFOLD_ROUTING } from './support/floor-routings.js';
import { createTestApp, TEST_PASSWORD, type TestApp } from './support/test-app.js';

/**
 * The page an approver decides on (src/resources/approval-subject.action.ts and the
 * ApprovalRequest component): it names the record in full and links to it, shows the change with
 * values as people read them and what is approved (a release: the traveler's steps and checks; a
 * routing change: the routing before and after), keeps internal fields off the page, and a
 * decision returns to My approvals with the next request open.
 */
let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role, TestAgent>;

async function one<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T> {
  return (await t.db.query(sql, params)).rows[0] as T;
}

async function edit(role: Role, resource: string, id: number, fields: Record<string, string | number>) {
  const shown = await agents[role].get(`/admin/api/resources/${resource}/records/${id}/show`);
  let req = agents[role].post(`/admin/api/resources/${resource}/records/${id}/edit`).field('version', shown.body.record.params.version);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, String(v));
  return req;
}

interface View {
  what: string;
  operation: string;
  kind: string;
  record: { kind: string; title: string; href: string | null; exists: boolean } | null;
  parent: { kind: string; title: string; href: string | null; exists: boolean } | null;
  changes: Array<{ field: string; label: string; before: string | null; after: string | null }>;
  subject: {
    title: string;
    table: string;
    id: number;
    steps: Array<{ position: string; operation: string; checks: Array<{ description: string; limits: string | null }> }>;
    diff: Array<{ kind: string; change: string; before: string | null; after: string | null; alsoChanged: string[] }> | null;
  } | null;
}

async function viewOf(role: Role, approvalId: number): Promise<View> {
  const res = await agents[role].get(`/admin/api/resources/approvals/records/${approvalId}/subject`);
  expect(res.status).toBe(200);
  return res.body.view as View;
}

/** A routing step of the floor's released manifold revision (B), with its id. */
async function releasedStep(step: (typeof MANIFOLD_ROUTING)[number]): Promise<{
  id: number;
  revision_id: number;
  step_number: number;
  operation: string;
  part_number: string;
  revision_code: string;
}> {
  const revision = floor.revisions.manifoldB;
  const { id } = await one<{ id: number }>('SELECT id FROM process_steps WHERE revision_id = $1 AND step_number = $2', [revision.id, step.step]);
  return {
    id,
    revision_id: revision.id,
    step_number: step.step,
    operation: step.operation,
    part_number: floor.parts.manifold.number,
    revision_code: revision.code,
  };
}

/** The manifold's last step, and its first step with checks. */
const LAST_STEP = MANIFOLD_ROUTING.at(-1)!;
const FIRST_CHECKED_STEP = MANIFOLD_ROUTING.find((s) => s.checks?.length)!;

/** The rules whose requests an approver decides (user changes are the administrators' alone). */
const APPROVER_RULES = [
  'traveler.release',
  'traveler.locked_content',
  'traveler.steps',
  'traveler.sub_steps',
  'traveler.manual_step',
  'revision.release',
  'routing.released_revision',
  'routing.released_revision_checks',
];

/** Pending requests the approver may decide, in the inbox's order. */
async function approverQueue(): Promise<number[]> {
  const rows = await t.db.query<{ id: number }>(
    `SELECT id FROM approvals WHERE status = 'pending' AND rule = ANY($1) AND requested_by_id <> $2 ORDER BY requested_at, id`,
    [APPROVER_RULES, t.users.approver.id],
  );
  return rows.rows.map((r) => r.id);
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  for (const role of ['admin', 'engineer', 'approver', 'quality'] as Role[]) agents[role] = await t.signIn(role);
});

afterAll(async () => {
  await t.close();
});

describe('what a request is about, named and linked', () => {
  it('a traveler release names the traveler with part, revision and quantity, links to it, and lists its steps and checks', async () => {
    const draft = floor.draft;
    const asked = await agents.engineer.post(`/admin/api/resources/travelers/records/${draft.id}/release`).field('reason', 'Material is in');
    expect(asked.body.approvalId).toEqual(expect.any(Number));
    const view = await viewOf('approver', asked.body.approvalId);

    expect(view.what).toBe('Releasing a traveler to the floor');
    expect(view.record).toEqual({
      kind: 'Traveler',
      title: `${draft.number} (${floor.parts.bracket.number} rev ${floor.revisions.bracketA.code}, quantity ${draft.quantity})`,
      href: `/admin/resources/travelers/records/${draft.id}/show`,
      exists: true,
    });
    // The status as people read it, not the stored words.
    expect(view.changes).toEqual([{ field: 'status', label: 'Status', before: 'Draft', after: 'Released' }]);
    expect(view.subject!.steps).toHaveLength(Object.keys(draft.steps).length);
    expect(view.subject!.steps.some((s) => s.checks.length > 0)).toBe(true);
    // A release changes no step: the content is shown as it is, not as a diff.
    expect(view.subject!.diff).toBeNull();
  });

  it('a routing change shows the routing before and after: the changed step marked, every other line the same', async () => {
    const step = await releasedStep(LAST_STEP);
    const asked = await edit('engineer', 'process_steps', step.id, { operation: `${step.operation} and deburr`, estimated_hours: '0.7' });
    expect(asked.status).toBe(202);
    const view = await viewOf('quality', asked.body.approvalId);

    expect(view.what).toBe('Editing the routing of a released revision');
    expect(view.record).toMatchObject({ kind: 'Routing step', title: `${step.part_number} ${step.revision_code} / ${step.step_number} ${step.operation}` });
    expect(view.record!.href).toBe(`/admin/resources/process_steps/records/${step.id}/show`);
    expect(view.parent).toEqual({
      kind: 'Revision',
      title: `${step.part_number} rev ${step.revision_code}`,
      href: `/admin/resources/revisions/records/${step.revision_id}/show`,
      exists: true,
    });
    expect(view.changes.map((c) => [c.label, c.before, c.after])).toEqual([
      ['Operation', step.operation, `${step.operation} and deburr`],
      ['Estimated hours', expect.stringMatching(/^0\.\d+$/), '0.70'],
    ]);

    const diff = view.subject!.diff!;
    // One line per step and per check of the revision's routing.
    expect(diff).toHaveLength(MANIFOLD_ROUTING.reduce((n, s) => n + 1 + (s.checks?.length ?? 0), 0));
    const changed = diff.filter((l) => l.change !== 'same');
    expect(changed).toEqual([
      {
        kind: 'step',
        change: 'changed',
        before: expect.stringContaining(`Step ${step.step_number} · ${step.operation} ·`),
        after: expect.stringMatching(new RegExp(`^Step ${step.step_number} · ${step.operation} and deburr · .* · 0\\.7 h$`)),
        alsoChanged: [],
      },
    ]);
    // Nothing was applied: the routing is as it was.
    expect(await one('SELECT operation FROM process_steps WHERE id = $1', [step.id])).toEqual({ operation: step.operation });
  });

  it('a new check on a released routing is an added line under its step; deleting a step removes it with its checks', async () => {
    const step = await releasedStep(LAST_STEP);
    const added = await agents.engineer
      .post('/admin/api/resources/sub_steps/actions/new')
      .field('process_step_id', String(step.id))
      .field('sequence', '9')
      .field('description', 'Visual: no burrs')
      .field('requires_measurement', 'false');
    const addView = await viewOf('approver', added.body.approvalId);
    expect(addView.record).toBeNull();
    expect(addView.kind).toBe('Routing check');
    expect(addView.parent).toMatchObject({ kind: 'Revision', title: `${step.part_number} rev ${step.revision_code}` });
    const addChanged = addView.subject!.diff!.filter((l) => l.change !== 'same');
    expect(addChanged).toEqual([{ kind: 'check', change: 'added', before: null, after: 'Check 9: Visual: no burrs', alsoChanged: [] }]);
    const stepIndex = addView.subject!.diff!.findIndex((l) => l.kind === 'step' && l.before?.startsWith(`Step ${step.step_number} ·`));
    expect(addView.subject!.diff!.findIndex((l) => l.change === 'added')).toBeGreaterThan(stepIndex);

    const withChecks = { ...(await releasedStep(FIRST_CHECKED_STEP)), checks: FIRST_CHECKED_STEP.checks!.length };
    const removed = await agents.engineer.post(`/admin/api/resources/process_steps/records/${withChecks.id}/delete`);
    const removeView = await viewOf('approver', removed.body.approvalId);
    const gone = removeView.subject!.diff!.filter((l) => l.change !== 'same');
    expect(gone.map((l) => [l.kind, l.change, l.after])).toEqual([
      ['step', 'removed', null],
      ...Array.from({ length: withChecks.checks }, () => ['check', 'removed', null]),
    ]);
    expect(gone[0]!.before).toMatch(new RegExp(`^Step ${withChecks.step_number} · `));
  });

  it('a quantity change names the values, and references by their titles', async () => {
    const traveler = await one<{ id: number; quantity: number }>('SELECT id, quantity FROM travelers WHERE id = $1', [floor.released.id]);
    const asked = await edit('engineer', 'travelers', traveler.id, { quantity: traveler.quantity + 3 });
    const view = await viewOf('approver', asked.body.approvalId);
    expect(view.what).toBe('Changing the quantity, revision or part of a released traveler');
    expect(view.record!.title).toBe(
      `${floor.released.number} (${floor.parts.shaft.number} rev ${floor.revisions.shaft01.code}, quantity ${traveler.quantity})`,
    );
    expect(view.changes).toEqual([{ field: 'quantity', label: 'Quantity', before: String(traveler.quantity), after: String(traveler.quantity + 3) }]);
  });
});

describe('the page keeps internal fields to itself', () => {
  it('shows no record type, record id, policy rule or base version, while the record still carries them', async () => {
    const admin = createAdmin(t.ctx);
    const decorated = admin.findResource('approvals').decorate();
    const shown = decorated.getProperties({ where: 'show' }).map((p) => p.propertyPath);
    for (const internal of ['target_table', 'target_id', 'rule', 'base_version', 'parent_table', 'parent_id', 'applied_record_id']) {
      expect(shown).not.toContain(internal);
    }
    // The page is the request's own component, which names the record instead of its type and id.
    expect(decorated.actions.show!.toJSON().component).toBe('ApprovalRequest');
    const id = (await one<{ id: number }>(`SELECT id FROM approvals ORDER BY id DESC LIMIT 1`)).id;
    const res = await agents.approver.get(`/admin/api/resources/approvals/records/${id}/show`);
    expect(res.body.record.params).toEqual(
      expect.objectContaining({ target_table: expect.any(String), rule: expect.any(String), base_version: expect.anything() }),
    );
  });
});

describe('a decision returns to My approvals with the next request open', () => {
  it('approving opens the next request waiting for this person; the last one decided returns to the inbox', async () => {
    const queue = await approverQueue();
    expect(queue.length).toBeGreaterThanOrEqual(2);
    const [first, second] = queue as [number, number];
    // Deciding one in the middle: the next after it, in the inbox's order.
    const wrong = await agents.approver
      .post(`/admin/api/resources/approvals/records/${first}/approve`)
      .field('password', 'not-my-password')
      .field('comment', 'Fine by me');
    expect(wrong.status).toBe(401);
    expect(wrong.body.refusal).toEqual({ status: 401, code: 'signature' });
    expect(await one('SELECT status FROM approvals WHERE id = $1', [first])).toEqual({ status: 'pending' });

    const approved = await agents.approver
      .post(`/admin/api/resources/approvals/records/${first}/approve`)
      .field('password', TEST_PASSWORD)
      .field('comment', 'Fine by me');
    expect(approved.status).toBe(200);
    expect(approved.body.notice).toEqual({ message: `Request #${first} approved: the change is applied.`, type: 'success' });
    expect(approved.body.redirectUrl).toBe(`/admin/pages/myApprovals?request=${second}`);
    expect(approved.body.nextRequestId).toBe(second);
    expect(await one('SELECT status, decision_comment FROM approvals WHERE id = $1', [first])).toEqual({ status: 'approved', decision_comment: 'Fine by me' });

    // Rejecting the rest, one after another, each answer naming the next; the last returns to the inbox.
    let current: number | null = second;
    while (current !== null) {
      const rejected: { status: number; body: { nextRequestId: number | null; redirectUrl: string } } = await agents.approver
        .post(`/admin/api/resources/approvals/records/${current}/reject`)
        .field('password', TEST_PASSWORD)
        .field('comment', 'Not now');
      expect(rejected.status).toBe(200);
      const rest = await approverQueue();
      // The next one still waiting, or none once the queue is empty.
      expect(rest.length ? rest : [null]).toContain(rejected.body.nextRequestId);
      expect(rejected.body.redirectUrl).toBe(rest.length ? `/admin/pages/myApprovals?request=${rejected.body.nextRequestId}` : '/admin/pages/myApprovals');
      current = rejected.body.nextRequestId;
    }
    expect(await approverQueue()).toEqual([]);
  });

  it('the inbox says what each request is, in words', async () => {
    const traveler = await one<{ id: number; quantity: number }>('SELECT id, quantity FROM travelers WHERE id = $1', [floor.released.id]);
    const asked = await edit('engineer', 'travelers', traveler.id, { quantity: traveler.quantity + 1 });
    const inbox = await agents.approver.get('/admin/api/pages/myApprovals');
    const request = inbox.body.toDecide.find((r: { id: number }) => r.id === asked.body.approvalId);
    expect(request).toMatchObject({ what: 'Changing the quantity, revision or part of a released traveler', rule: 'traveler.locked_content' });
  });

  it('withdrawing returns the requester to their inbox', async () => {
    const traveler = await one<{ id: number; quantity: number }>('SELECT id, quantity FROM travelers WHERE id = $1', [floor.released.id]);
    const asked = await edit('engineer', 'travelers', traveler.id, { quantity: traveler.quantity + 2 });
    const withdrawn = await agents.engineer.post(`/admin/api/resources/approvals/records/${asked.body.approvalId}/withdraw`);
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body.redirectUrl).toBe('/admin/pages/myApprovals');
    expect(await one('SELECT status FROM approvals WHERE id = $1', [asked.body.approvalId])).toEqual({ status: 'withdrawn' });
  });
});
