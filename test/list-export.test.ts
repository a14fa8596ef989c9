import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Lists filtered to what a dashboard tile counted (the tile's own SQL, by name: filters.late=true),
 * and every list exported as CSV with the filters and search the person applied, values as people
 * read them, hidden fields left out and formula cells neutralised.
 */
let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role, TestAgent>;

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}
async function one<T>(sql: string, params: unknown[] = []): Promise<T> {
  return (await rows<T>(sql, params))[0]!;
}

/** RFC 4180 as written by audit-export.service.ts (BOM, CRLF, quoted fields). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the line ends at the \n
    } else if (c === '\n') {
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    out.push(row);
  }
  return out;
}

interface Csv {
  status: number;
  type: string;
  text: string;
  header: string[];
  records: Array<Record<string, string>>;
  body: { error?: string };
}

async function exportCsv(agent: TestAgent | ReturnType<typeof supertest>, list: string, query: Record<string, string> = {}): Promise<Csv> {
  const res = await agent
    .get(`/admin/exports/lists/${list}.csv`)
    .query(query)
    .buffer(true)
    .parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    });
  const text = res.body as string;
  const isCsv = String(res.headers['content-type']).startsWith('text/csv');
  const [header = [], ...lines] = isCsv ? parseCsv(text) : [];
  for (const line of lines) expect(line).toHaveLength(header.length);
  return {
    status: res.status,
    type: String(res.headers['content-type']),
    text,
    header,
    records: lines.map((line) => Object.fromEntries(header.map((name, i) => [name, line[i]!]))),
    body: isCsv ? {} : (JSON.parse(text) as { error?: string }),
  };
}

/**
 * A moment as the shop reads it, worked out here rather than by the app's formatter: the wall
 * clock in the process's zone (TZ, as a container sets it), then the zone's short name.
 */
function shopClock(at: Date): string {
  const zone = process.env.TZ?.replace(/^:/, '') || Intl.DateTimeFormat().resolvedOptions().timeZone;
  const wall = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const p = Object.fromEntries(wall.formatToParts(at).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
}

async function list(agent: TestAgent, resource: string, query: Record<string, string>) {
  const res = await agent.get(`/admin/api/resources/${resource}/actions/list`).query({ perPage: '500', ...query });
  return {
    status: res.status,
    total: res.body.meta?.total as number,
    records: (res.body.records ?? []) as Array<{ id: string; title: string; params: Record<string, unknown> }>,
    body: res.body,
  };
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  for (const role of ['admin', 'engineer', 'approver', 'operator', 'viewer'] as const) agents[role] = await t.signIn(role);
  // Due dates from the database's own calendar, whatever day (or moved clock) this runs on:
  // late and active (a draft, and the released traveler, which has a request the approver decides),
  // due today, late but finished, late but cancelled, due in five days.
  const due = async (id: number, days: number) => t.db.query(`UPDATE travelers SET due_date = current_date + $2::int WHERE id = $1`, [id, days]);
  await due(floor.draft.id, -3);
  await due(floor.held.id, 0);
  await due(floor.completed.id, -10);
  await due(floor.cancelled.id, -4);
  await due(floor.released.id, -2);
  await due(floor.running.id, 5);
}, 120_000);

afterAll(async () => {
  await t?.close();
});

describe('a dashboard tile opens the list of exactly what it counted', () => {
  it('late travelers: the tile’s figure is the number of rows its list returns, the same travelers', async () => {
    const dashboard = (await agents.viewer.get('/admin/api/dashboard')).body as { lateTravelerCount: number; lateTravelers: Array<{ number: string }> };
    const late = await list(agents.viewer, 'travelers', { 'filters.late': 'true' });
    expect(late.status).toBe(200);
    expect(late.total).toBe(dashboard.lateTravelerCount);
    expect(late.records).toHaveLength(dashboard.lateTravelerCount);
    const numbers = late.records.map((r) => r.title);
    // Due today is not late yet; finished or cancelled travelers are never late.
    expect([...numbers].sort()).toEqual([floor.released.number, floor.draft.number].sort());
    // Every one is past due by the database's calendar and still to be finished.
    const expected = await rows<{ number: string }>(
      `SELECT number FROM travelers WHERE due_date < current_date AND status NOT IN ('completed', 'cancelled') ORDER BY number`,
    );
    expect([...numbers].sort()).toEqual(expected.map((e) => e.number));
    // The card lists the most overdue of them (at most 10), all from the same set.
    expect(dashboard.lateTravelers).toHaveLength(Math.min(10, expected.length));
    for (const l of dashboard.lateTravelers) expect(numbers).toContain(l.number);
  });

  it('open work orders: the tile’s figure is the number of rows its list returns', async () => {
    const dashboard = (await agents.engineer.get('/admin/api/dashboard')).body as { openWorkOrders: number };
    const open = await list(agents.engineer, 'work_orders', { 'filters.open': 'true' });
    expect(open.status).toBe(200);
    expect(open.total).toBe(dashboard.openWorkOrders);
    expect(open.records).toHaveLength(dashboard.openWorkOrders);
    // Every work order of the floor but the completed one: the filter really leaves some out.
    const w = floor.workOrders;
    expect(open.records.map((r) => r.title).sort()).toEqual([w.running.number, w.open.number, w.released.number, w.held.number].sort());
    expect(open.records.filter((r) => ['completed', 'cancelled'].includes(String(r.params.status)))).toEqual([]);
  });

  it('travelers by status: each bar’s figure is the number of rows its list returns', async () => {
    const dashboard = (await agents.viewer.get('/admin/api/dashboard')).body as { travelersByStatus: Array<{ status: string; count: number }> };
    expect(dashboard.travelersByStatus.map((s) => s.status)).toEqual(['draft', 'released', 'in_progress', 'on_hold', 'completed', 'cancelled']);
    for (const { status, count } of dashboard.travelersByStatus) {
      const filtered = await list(agents.viewer, 'travelers', { 'filters.status': status });
      expect({ status, total: filtered.total, rows: filtered.records.length }).toEqual({ status, total: count, rows: count });
    }
  });

  it('pending approvals: the figure is the number of requests in the inbox it opens; viewers get no approvals card', async () => {
    const dashboard = (await agents.approver.get('/admin/api/dashboard')).body as { pendingApprovals: number; approvalsVisible: boolean };
    const inbox = (await agents.approver.get('/admin/api/pages/myApprovals')).body as { toDecide: unknown[] };
    expect(dashboard.pendingApprovals).toBe(1); // the floor's request about its released traveler
    expect(dashboard).toMatchObject({ approvalsVisible: true, pendingApprovals: inbox.toDecide.length });
    expect((await agents.viewer.get('/admin/api/dashboard')).body).toMatchObject({ approvalsVisible: false, pendingApprovals: 0 });
  });

  it('combines with the list’s other filters, and refuses a tile filter that is not on or not of that list', async () => {
    const lateDrafts = await list(agents.viewer, 'travelers', { 'filters.late': 'true', 'filters.status': 'draft' });
    expect(lateDrafts.records.map((r) => r.title)).toEqual(
      (await rows<{ number: string }>(`SELECT number FROM travelers WHERE due_date < current_date AND status = 'draft' ORDER BY updated_at DESC, id DESC`)).map(
        (r) => r.number,
      ),
    );
    const off = await list(agents.viewer, 'travelers', { 'filters.late': 'false' });
    expect(off.status).toBe(400);
    expect(off.body).toMatchObject({ parameter: 'filters.late', error: 'filters.late must be true' });
    const elsewhere = await list(agents.viewer, 'parts', { 'filters.late': 'true' });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.error).toMatch(/not a filter of this list/);
  });
});

describe('every list exported as CSV', () => {
  it('holds the filtered rows only, each value as people read it: titles beside ids, labels, days and moments with their zone', async () => {
    const expected = await rows<{
      id: number;
      number: string;
      customer_id: number;
      customer: string;
      part: string;
      revision: string;
      due: string | null;
      created: Date;
    }>(
      `SELECT t.id, t.number, t.customer_id, c.name AS customer, p.part_number AS part, p.part_number || ' rev ' || r.revision_code AS revision,
              to_char(t.due_date, 'YYYY-MM-DD') AS due, t.created_at AS created
         FROM travelers t JOIN customers c ON c.id = t.customer_id JOIN parts p ON p.id = t.part_id JOIN revisions r ON r.id = t.revision_id
        WHERE t.status = 'on_hold' ORDER BY t.number`,
    );
    expect(expected.map((e) => e.number)).toEqual([floor.held.number]);
    const csv = await exportCsv(agents.viewer, 'travelers', { 'filters.status': 'on_hold', sortBy: 'number', direction: 'asc' });
    expect(csv.status).toBe(200);
    expect(csv.type).toBe('text/csv; charset=utf-8');
    expect(csv.header).toEqual(
      expect.arrayContaining(['Traveler', 'Status', 'Customer id', 'Customer', 'Part id', 'Part', 'Revision id', 'Revision', 'Due date', 'Created']),
    );
    // Parts of the page that are no columns are not in the file.
    expect(csv.header).not.toContain('Steps');
    expect(csv.header).not.toContain('Waiting for approval');
    expect(csv.records.map((r) => r.Traveler)).toEqual(expected.map((e) => e.number));
    csv.records.forEach((record, i) => {
      const e = expected[i]!;
      expect(record).toMatchObject({
        ID: String(e.id),
        Status: 'on hold',
        'Customer id': String(e.customer_id),
        Customer: e.customer,
        Part: e.part,
        Revision: e.revision,
        'Due date': e.due ?? '',
      });
      // The one way NEXUS writes a moment (History, the audit CSV): the shop's zone, named.
      expect(record.Created).toBe(shopClock(e.created));
      expect(record.Created).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+$/);
    });
  });

  it('follows the list’s search and tile filter: the late travelers file holds exactly the tile’s travelers', async () => {
    const searched = await exportCsv(agents.operator, 'travelers', { 'filters.title': floor.travelerPrefix });
    const all = [floor.completed, floor.running, floor.released, floor.draft, floor.held, floor.cancelled].map((x) => x.number);
    expect(searched.records.map((r) => r.Traveler).sort()).toEqual(all.sort());

    const dashboard = (await agents.viewer.get('/admin/api/dashboard')).body as { lateTravelerCount: number };
    const late = await exportCsv(agents.viewer, 'travelers', { 'filters.late': 'true' });
    expect(late.records).toHaveLength(dashboard.lateTravelerCount);
    expect(late.records.map((r) => r.Traveler).sort()).toEqual([floor.released.number, floor.draft.number].sort());
  });

  it('leaves out what the list hides: no password hash in the users file, roles by their labels, Yes/No', async () => {
    const csv = await exportCsv(agents.admin, 'users', { sortBy: 'username', direction: 'asc' });
    expect(csv.status).toBe(200);
    expect(csv.header.some((h) => /password hash|password_hash/i.test(h))).toBe(false);
    expect(csv.header).not.toContain('New password');
    const hashes = await rows<{ password_hash: string }>('SELECT password_hash FROM users');
    expect(hashes.length).toBeGreaterThan(0);
    for (const { password_hash: hash } of hashes) expect(csv.text).not.toContain(hash);
    expect(csv.text).not.toMatch(/\$argon2/);
    const admin = csv.records.find((r) => r['User name'] === 'admin.user')!;
    expect(admin).toMatchObject({ Role: 'Administrator', Active: 'Yes', Email: 'admin@test.example' });
    expect(csv.records).toHaveLength((await one<{ n: number }>('SELECT count(*)::int AS n FROM users')).n);
  });

  it('neutralises cells a spreadsheet would run as a formula', async () => {
    const evil = ['=HYPERLINK("http://evil.example","x")', '+SUM(1,2)', '-2+3', '@cmd'];
    for (const [i, name] of evil.entries()) {
      await t.db.query(`INSERT INTO customers (code, name, contact_name) VALUES ($1, $2, $3)`, [`EVIL${i}`, name, name]);
    }
    const csv = await exportCsv(agents.viewer, 'customers', { 'filters.title': 'EVIL' });
    expect(csv.records.map((r) => r.Name).sort()).toEqual(evil.map((e) => `'${e}`).sort());
    for (const record of csv.records) {
      for (const value of Object.values(record)) expect(value).not.toMatch(/^[=+\-@]/);
    }
    // Quoted where the text has a comma or a quote: one cell, not two.
    expect(csv.text).toContain(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
  });

  it('is recorded in the audit trail: who exported which list with which filters, and how many rows', async () => {
    const before = await one<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM audit_logs`);
    const csv = await exportCsv(agents.engineer, 'work_orders', { 'filters.open': 'true' });
    const recorded = await rows<{ actor_id: number; table_name: string; details: { filters: Record<string, string>; rowCount: number; format: string } }>(
      `SELECT actor_id, table_name, details FROM audit_logs WHERE id > $1::bigint AND action = 'export'`,
      [before.id],
    );
    expect(recorded).toEqual([
      {
        actor_id: t.users.engineer.id,
        table_name: 'work_orders',
        details: expect.objectContaining({ filters: { open: 'true' }, rowCount: csv.records.length, format: 'csv' }),
      },
    ]);
  });

  it('is for those who may read the list: users for administrators only, refused with a recorded denial and no export', async () => {
    const before = await one<{ id: string }>(`SELECT coalesce(max(id), 0)::text AS id FROM audit_logs`);
    const refused = await exportCsv(agents.operator, 'users');
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain('admin.user');
    const written = await rows<{ action: string; table_name: string }>(`SELECT action, table_name FROM audit_logs WHERE id > $1::bigint`, [before.id]);
    expect(written).toEqual([{ action: 'access_denied', table_name: 'users' }]);
    expect((await exportCsv(agents.viewer, 'approvals')).status).toBe(403);
    expect((await exportCsv(agents.viewer, 'parts')).status).toBe(200);
  });

  it('refuses what is no list, a filter the list does not have, and anyone signed out', async () => {
    expect((await exportCsv(agents.admin, 'nothing')).status).toBe(404);
    const audit = await exportCsv(agents.admin, 'audit_logs');
    expect(audit.status).toBe(404);
    expect(audit.body.error).toContain('/admin/exports/audit-logs.csv');
    const bad = await exportCsv(agents.admin, 'travelers', { 'filters.password_hash': 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/not a filter of this list/);
    const signedOut = await exportCsv(supertest(t.app), 'travelers');
    expect(signedOut.status).toBe(401);
  });

  it('the Export CSV action of a list says how many rows match, which filters apply, and where the file is', async () => {
    const onHold = await one<{ n: number }>(`SELECT count(*)::int AS n FROM travelers WHERE status = 'on_hold'`);
    const res = await agents.viewer
      .get('/admin/api/resources/travelers/actions/exportCsv')
      .query({ 'filters.status': 'on_hold', 'filters.late': 'true', page: '2' });
    expect(res.status).toBe(200);
    const lateOnHold = await one<{ n: number }>(`SELECT count(*)::int AS n FROM travelers WHERE status = 'on_hold' AND due_date < current_date`);
    expect(res.body).toMatchObject({
      rowCount: lateOnHold.n,
      estimated: false,
      filters: expect.arrayContaining([
        { name: 'Status', value: 'on hold' },
        { name: 'Late: past the due date and not finished', value: 'yes' },
      ]),
      downloadHref: '/admin/exports/lists/travelers.csv?filters.status=on_hold&filters.late=true',
    });
    expect(onHold.n).toBeGreaterThanOrEqual(lateOnHold.n);
    // Every resource has it, for those who may read the list.
    expect((await agents.operator.get('/admin/api/resources/users/actions/exportCsv')).status).toBe(403);
    expect((await agents.admin.get('/admin/api/resources/users/actions/exportCsv')).status).toBe(200);
  });
});
