import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { collapseUserAgent, formatDate, formatDateTime, formatDecimal, formatYesNo, startOfDayIn } from '../src/shared/value-format.js';
import type { HistoryEntry, RecordHistory } from '../src/audit/audit-history.service.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { AUDIT_CSV_HEADER } from './support/expected.js';

/**
 * The audit views show values as people read them: statuses by their labels, Yes/No, times in
 * the shop's zone with the zone named, measurements to their limits' precision, references and
 * users by name, a browser by make and system. History can be narrowed by field, user and days,
 * on the server, refusing what it cannot apply, and never reaching another record.
 */

const ZONE = 'America/Chicago';
const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';
// "2026-03-14 09:05:12 CDT": the shop's wall clock and its zone.
const SHOP_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} (CST|CDT)$/;
const CSV_COLUMNS: readonly string[] = AUDIT_CSV_HEADER;
/** The actor that built the floor (test/support/floor-fixtures.ts), as the audit trail names it. */
const SETUP = { value: 'system:test:setup', label: 'System (test:setup)' };

let t: TestApp;
let floor: Floor;
let quality: TestAgent;
let engineer: TestAgent;
let admin: TestAgent;
let viewer: TestAgent;
const ids = {} as Record<'done' | 'released' | 'editable', string>;
let previousTz: string | undefined;

async function history(agent: TestAgent, resource: string, id: string, query: Record<string, string> = {}) {
  const res = await agent.get(`/admin/api/history/${resource}/${id}`).query(query);
  return { status: res.status, body: res.body as { history: RecordHistory; error?: string } };
}

async function historyOk(agent: TestAgent, resource: string, id: string, query: Record<string, string> = {}): Promise<RecordHistory> {
  const res = await history(agent, resource, id, query);
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 200, error: undefined });
  return res.body.history;
}

/** The shop's wall clock of a text like "2026-03-14 09:05:12 CDT" checked against the moment it names. */
function expectShopTime(text: string, iso: string) {
  expect(text).toMatch(SHOP_TIME);
  const hoursBehind = text.endsWith('CDT') ? 5 : 6;
  const wall = new Date(new Date(iso).getTime() - hoursBehind * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
  expect(text.slice(0, 19)).toBe(wall);
}

/** The moment a shop day starts, found by asking Intl which of Chicago's two offsets puts it at midnight. */
function shopMidnight(day: string): string {
  const wall = new Intl.DateTimeFormat('en-CA', {
    timeZone: ZONE,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
  const candidates = ['-05:00', '-06:00'].map((offset) => new Date(`${day}T00:00:00${offset}`));
  const [midnight] = candidates.filter((c) => wall.format(c) === `${day}, 00:00`);
  expect(midnight).toBeInstanceOf(Date);
  return midnight!.toISOString();
}

const changesOf = (h: RecordHistory) => h.entries.flatMap((e) => e.changes.map((c) => ({ entry: e, change: c })));

function parseCsv(text: string): Array<Record<string, string>> {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') ((field += '"'), i++);
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') (row.push(field), (field = ''));
    else if (c === '\r') continue;
    else if (c === '\n') (row.push(field), rows.push(row), (row = []), (field = ''));
    else field += c;
  }
  const [header, ...lines] = rows;
  expect(header).toEqual(CSV_COLUMNS);
  return lines.map((line) => Object.fromEntries(header!.map((name, i) => [name, line[i]!])));
}

async function csv(agent: TestAgent, query: Record<string, string>) {
  const res = await agent
    .get('/admin/exports/audit-logs.csv')
    .query(query)
    .buffer(true)
    .parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    });
  expect(res.status).toBe(200);
  return parseCsv(res.body as string);
}

beforeAll(async () => {
  // The shop's zone (TZ, as a container sets it): every audit view writes its times in it.
  previousTz = process.env.TZ;
  process.env.TZ = ZONE;
  t = await createTestApp();
  floor = await buildFloor(t.db);
  quality = await t.signIn('quality');
  engineer = await t.signIn('engineer');
  admin = await t.signIn('admin');
  viewer = await t.signIn('viewer');
  ids.done = String(floor.completed.id);
  ids.released = String(floor.released.id);
  ids.editable = String(floor.draft.id);

  // An engineer edits a draft traveler from Chrome: two fields in one save.
  const shown = await engineer.get(`/admin/api/resources/travelers/records/${ids.editable}/show`);
  const res = await engineer
    .post(`/admin/api/resources/travelers/records/${ids.editable}/edit`)
    .set('User-Agent', CHROME)
    .field('version', String(shown.body.record.params.version))
    .field('quantity', '15')
    .field('notes', 'Plate arrived, certs checked.');
  expect(res.body.record.errors).toEqual({});
}, 120_000);

afterAll(async () => {
  if (previousTz === undefined) delete process.env.TZ;
  else process.env.TZ = previousTz;
  await t?.close();
});

describe('the one format (unit)', () => {
  it('writes a moment in the given zone, named, and a calendar day as a day', () => {
    expect(formatDateTime('2026-07-06T22:35:03.123456+00:00', ZONE)).toBe('2026-07-06 17:35:03 CDT');
    expect(formatDateTime('2026-12-06 22:35:03.5+00', ZONE)).toBe('2026-12-06 16:35:03 CST');
    expect(formatDateTime(new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), 'UTC')).toBe('2026-01-02 03:04:05 UTC');
    expect(formatDateTime('not a time', ZONE)).toBe('not a time');
    expect(formatDate('2026-03-14')).toBe('2026-03-14');
    expect(startOfDayIn('2026-03-08', ZONE)!.toISOString()).toBe('2026-03-08T06:00:00.000Z');
    expect(startOfDayIn('2026-02-30', ZONE)).toBeNull();
  });

  it('says Yes/No and keeps decimals at their scale, never rounding', () => {
    expect([formatYesNo('true'), formatYesNo('false'), formatYesNo(true), formatYesNo('maybe')]).toEqual(['Yes', 'No', 'Yes', 'maybe']);
    expect(formatDecimal('63.5000', 2)).toBe('63.50');
    expect(formatDecimal('12.0090', 3)).toBe('12.009');
    expect(formatDecimal('0.0250', 2)).toBe('0.025');
    expect(formatDecimal('1.7000', 1)).toBe('1.7');
    expect(formatDecimal('123456789.1234', 2)).toBe('123456789.1234');
    expect(formatDecimal('-0.0000', 0)).toBe('0');
  });

  it('collapses a user agent to browser and system', () => {
    expect(collapseUserAgent(CHROME)).toBe('Chrome 156 on Linux');
    expect(
      collapseUserAgent(
        'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
      ),
    ).toBe('Safari 17 on iOS');
    expect(
      collapseUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91'),
    ).toBe('Edge 120 on Windows');
    expect(
      collapseUserAgent(
        'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
      ),
    ).toBe('Samsung Internet 23 on Android');
    expect(collapseUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.2; rv:121.0) Gecko/20100101 Firefox/121.0')).toBe('Firefox 121 on macOS');
    expect(collapseUserAgent('curl/8.5.0')).toBe('curl 8.5.0');
    expect(collapseUserAgent('')).toBeNull();
    expect(collapseUserAgent(null)).toBeNull();
  });
});

describe('History shows values as people read them', () => {
  it('a traveler’s release: the status by its label, the time in the shop’s zone, the raw values kept', async () => {
    const h = await historyOk(quality, 'travelers', ids.released, { field: 'travelers.status' });
    expect(h.timeZone).toBe(ZONE);
    const [release] = changesOf(h).filter(({ change }) => change.old === 'draft');
    expect(release!.change).toMatchObject({ label: 'Status', old: 'draft', new: 'released', oldText: 'Draft', newText: 'Released' });
    expectShopTime(release!.entry.atText, release!.entry.at);

    const released = await historyOk(quality, 'travelers', ids.released, { field: 'released_at' });
    const [at] = changesOf(released).filter(({ change }) => change.new !== null);
    expectShopTime(at!.change.newText!, at!.change.new!);
    expect(at!.change.new).not.toEqual(at!.change.newText);
  });

  it('a traveler’s copied routing: limits at their precision, Yes/No, hours at two decimals, references by title', async () => {
    const h = await historyOk(quality, 'travelers', ids.released);
    const created = (title: string) => h.entries.find((e) => e.action === 'create' && e.record.title === title);
    const field = (entry: HistoryEntry | undefined, name: string) => entry?.changes.find((c) => c.field === name);

    const journal = created('Sub-step 1 — Bearing journal diameter');
    expect(field(journal, 'lower_limit')).toMatchObject({ new: '24.9870', newText: '24.987' });
    expect(field(journal, 'upper_limit')).toMatchObject({ new: '25.0000', newText: '25.000' });
    expect(field(journal, 'requires_measurement')).toMatchObject({ new: 'true', newText: 'Yes' });
    expect(field(journal, 'traveler_step_id')).toMatchObject({ label: 'Traveler step', newText: 'Step 20 — Turn OD, face, chamfer' });
    const keyway = created('Sub-step 1 — Keyway width');
    expect([field(keyway, 'lower_limit')?.newText, field(keyway, 'upper_limit')?.newText]).toEqual(['6.00', '6.03']);

    const turning = created('Step 20 — Turn OD, face, chamfer');
    expect(field(turning, 'estimated_hours')).toMatchObject({ new: '0.90', newText: '0.90' });
    expect(field(turning, 'is_parallel')).toMatchObject({ new: 'false', newText: 'No' });
    expect(field(turning, 'status')).toMatchObject({ new: 'pending', newText: 'Pending' });

    const own = h.entries.find((e) => e.action === 'create' && e.record.isSubject);
    expect(field(own, 'revision_id')).toMatchObject({ newText: `${floor.parts.shaft.number} rev 01` });
    // A date is shown as the day it is, with no time or zone added.
    const due = field(own, 'due_date');
    expect(due?.new).toMatch(/^\d{4}-\d{2}-\d{2}/);
    expect(due!.newText).toBe(due!.new!.slice(0, 10));
  });

  it('measurements recorded on the floor: to their limits’ precision, more when measured finer, never rounded', async () => {
    const h = await historyOk(quality, 'travelers', ids.done, { field: 'traveler_sub_steps.measured_value' });
    expect(h.entries.length).toBeGreaterThan(3);
    const measured = Object.fromEntries(changesOf(h).map(({ entry, change }) => [entry.record.title, change]));
    expect(measured['Sub-step 2 — Block height']).toMatchObject({ new: '63.5000', newText: '63.50' });
    expect(measured['Sub-step 1 — Main bore diameter']).toMatchObject({ new: '12.0090', newText: '12.009' });
    expect(measured['Sub-step 1 — Main bore position to datum A']).toMatchObject({ new: '0.0250', newText: '0.025' });
    expect(measured['Sub-step 2 — Surface finish Ra']).toMatchObject({ new: '1.7000', newText: '1.7' });
    // Only that field, of that table.
    for (const { entry, change } of changesOf(h)) expect([entry.record.table, change.field]).toEqual(['traveler_sub_steps', 'measured_value']);

    const dispositions = await historyOk(quality, 'travelers', ids.done, { field: 'disposition' });
    expect(changesOf(dispositions).map(({ change }) => [change.new, change.newText])).toEqual([['use_as_is', 'Use as is (deviation accepted)']]);
    const outside = await historyOk(quality, 'travelers', ids.done, { field: 'out_of_limits' });
    expect(changesOf(outside).some(({ change }) => change.new === 'true' && change.newText === 'Yes')).toBe(true);
  });

  it('a browser by make and system, with the full user agent beside it, for audit reviewers', async () => {
    const h = await historyOk(quality, 'travelers', ids.editable, { field: 'quantity' });
    const [edit] = h.entries;
    expect(edit).toMatchObject({ browser: 'Chrome 156 on Linux', userAgent: CHROME, actor: { username: 'engineer.user' } });
    const asViewer = await historyOk(viewer, 'travelers', ids.editable, { field: 'quantity' });
    expect(asViewer.entries[0]).not.toHaveProperty('browser');
    expect(JSON.stringify(asViewer)).not.toContain('Chrome 156');
  });
});

describe('History filters', () => {
  let all: RecordHistory;
  beforeAll(async () => {
    all = await historyOk(quality, 'travelers', ids.editable);
  });

  it('offers the fields and people of the whole history to filter by', () => {
    expect(all.facets!.fields).toEqual(
      expect.arrayContaining([
        { value: 'travelers.quantity', label: 'Quantity' },
        { value: 'traveler_steps.status', label: 'Status (Traveler steps)' },
      ]),
    );
    expect(all.facets!.users).toEqual(expect.arrayContaining([{ value: String(t.users.engineer.id), label: 'Test engineer (engineer.user)' }, SETUP]));
  });

  it('by field: only changes of that field, only that field shown', async () => {
    const h = await historyOk(quality, 'travelers', ids.editable, { field: 'notes' });
    expect(h.filter).toEqual({ field: 'notes' });
    expect(h.entries.length).toBeGreaterThanOrEqual(2);
    for (const { change } of changesOf(h)) expect(change.field).toBe('notes');
    expect(h.entries[0]!.changes).toEqual([expect.objectContaining({ oldText: floor.draft.notes, newText: 'Plate arrived, certs checked.' })]);
  });

  it('by user: only what that person changed', async () => {
    const h = await historyOk(quality, 'travelers', ids.editable, { user: String(t.users.engineer.id) });
    expect(h.entries.map((e) => e.actor.username)).toEqual(['engineer.user']);
    expect(h.entries[0]!.changes.map((c) => c.field).sort()).toEqual(['notes', 'quantity']);
    const setup = await historyOk(quality, 'travelers', ids.editable, { user: SETUP.value });
    expect(setup.entries.length).toBe(all.entries.length - 1);
    // Someone who changed other records but not this one: nothing.
    expect((await historyOk(quality, 'travelers', ids.editable, { user: String(t.users.viewer.id) })).entries).toEqual([]);
  });

  it('by days of the shop’s calendar, both ends included', async () => {
    const newest = all.entries[0]!;
    const day = newest.atText.slice(0, 10);
    const shopDays = (h: RecordHistory) => h.entries.map((e) => e.atText.slice(0, 10));
    const onThatDay = all.entries.filter((e) => e.atText.startsWith(day)).map((e) => e.changeId);
    const same = await historyOk(quality, 'travelers', ids.editable, { from: day, to: day });
    expect(same.entries.map((e) => e.changeId)).toEqual(onThatDay);
    expect(new Set(shopDays(same))).toEqual(new Set([day]));
    const next = new Date(Date.parse(`${day}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
    const previous = new Date(Date.parse(`${day}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
    expect((await historyOk(quality, 'travelers', ids.editable, { from: next })).entries).toEqual([]);
    const untilPrevious = await historyOk(quality, 'travelers', ids.editable, { to: previous });
    // The newest entry is on `day`, so an ignored filter would show it here.
    expect(untilPrevious.entries.map((e) => e.changeId)).toEqual(all.entries.filter((e) => e.atText.slice(0, 10) <= previous).map((e) => e.changeId));
    expect(same.filter).toEqual({ from: shopMidnight(day), to: shopMidnight(next) });
    const before = await historyOk(quality, 'travelers', ids.editable, { to: '2001-12-31' });
    expect(before.entries).toEqual([]);
    const exact = await historyOk(quality, 'travelers', ids.editable, { from: newest.at.replace('Z', '+00:00'), to: newest.at.replace('Z', '+00:00') });
    expect(exact.entries.map((e) => e.changeId)).toEqual([newest.changeId]);
  });

  it('filtered entries are always entries of the unfiltered history: nothing from another record', async () => {
    const known = new Set(all.entries.map((e) => e.changeId));
    const queries: Array<Record<string, string>> = [
      { field: 'status' },
      { user: String(t.users.engineer.id) },
      { from: '2000-01-01' },
      { field: 'traveler_sub_steps.lower_limit' },
    ];
    for (const query of queries) {
      const h = await historyOk(quality, 'travelers', ids.editable, query);
      expect({ query, entries: h.entries.length > 0 }).toEqual({ query, entries: true });
      expect({ query, unknown: h.entries.filter((e) => !known.has(e.changeId)) }).toEqual({ query, unknown: [] });
    }
  });

  it.each([
    [{ field: 'customers.name' }, /holds no customers/],
    [{ field: 'password_hash' }, /has no field "password_hash"/],
    [{ field: 'status; drop table' }, /must name a field/],
    [{ user: 'bob' }, /user id or a system name/],
    [{ from: '2026-02-30' }, /not a day of the calendar/],
    [{ from: 'yesterday' }, /must be a day/],
    [{ from: '2026-03-02', to: '2026-03-01' }, /from must be before to/],
    [{ from: '0099-01-01' }, /between the years 1970 and 2999/],
    [{ limit: '0' }, /limit must be a whole number from 1 to 1000/],
    [{ limit: '5000' }, /limit must be a whole number/],
    [{ sort: 'asc' }, /cannot be filtered by "sort"/],
  ])('refuses %j with 400 and the reason', async (query, reason) => {
    const res = await history(quality, 'travelers', ids.editable, query as Record<string, string>);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(reason);
    expect(res.body).not.toHaveProperty('history');
  });

  it('does not reach a table the reader may not read, and still refuses those who may not read the record', async () => {
    const user = String(t.users.viewer.id);
    // Users' histories are for administrators: a filter does not change that, nor does it open them.
    expect((await history(viewer, 'users', user, { field: 'role' })).status).toBe(403);
    expect((await history(admin, 'users', user, { field: 'role' })).status).toBe(200);
    // A part's history holds no traveler steps.
    const part = String(floor.parts.bracket.id);
    expect((await history(quality, 'parts', part, { field: 'traveler_steps.status' })).body.error).toMatch(/holds no traveler steps/);
    expect((await supertest(t.app).get(`/admin/api/history/travelers/${ids.editable}`).query({ field: 'notes' })).status).toBe(401);
  });

  it('a limit keeps the newest changes and says older ones exist', async () => {
    const h = await historyOk(quality, 'travelers', ids.editable, { limit: '2' });
    expect(h).toMatchObject({ limit: 2, olderEntriesExist: true });
    expect(h.entries.map((e) => e.changeId)).toEqual(all.entries.slice(0, 2).map((e) => e.changeId));
  });
});

describe('the audit log list', () => {
  it('shows 50 rows a page unless asked for another number, and groups one change’s rows', async () => {
    const res = await quality.get('/admin/api/resources/audit_logs/actions/list');
    expect(res.status).toBe(200);
    expect(res.body.meta.perPage).toBe(50);
    expect(res.body.records).toHaveLength(50);
    expect((await quality.get('/admin/api/resources/audit_logs/actions/list').query({ perPage: '10' })).body.records).toHaveLength(10);

    const edit = await quality
      .get('/admin/api/resources/audit_logs/actions/list')
      .query({ 'filters.table_name': 'travelers', 'filters.record_id': ids.editable, 'filters.actor_id': String(t.users.engineer.id) });
    const rows = edit.body.records.map((r: { params: Record<string, unknown> }) => r.params);
    expect(rows.map((p: Record<string, unknown>) => [p.field_name, p.change_rows, p.change_position]).sort()).toEqual([
      ['notes', 2, expect.any(Number)],
      ['quantity', 2, expect.any(Number)],
    ]);
    expect(rows.map((p: Record<string, unknown>) => p.change_position).sort()).toEqual([1, 2]);
    const quantity = rows.find((p: Record<string, unknown>) => p.field_name === 'quantity');
    expect(quantity).toMatchObject({
      old_text: '12',
      new_text: '15',
      browser: 'Chrome 156 on Linux',
      user_agent: CHROME,
      actor_text: 'Test engineer (engineer.user)',
      record_title: floor.draft.number,
      field_label: 'Quantity',
      action_label: 'Changed',
    });
    expectShopTime(quantity.occurred_at_text, quantity.occurred_at);
  });

  it('names statuses, booleans and measurements as History does', async () => {
    const list = async (filters: Record<string, string>) =>
      (
        await quality
          .get('/admin/api/resources/audit_logs/actions/list')
          .query({ ...Object.fromEntries(Object.entries(filters).map(([k, v]) => [`filters.${k}`, v])), perPage: '200' })
      ).body.records.map((r: { params: Record<string, unknown> }) => r.params);
    const status = await list({ table_name: 'travelers', record_id: ids.released, field_name: 'status' });
    expect(status.map((p: Record<string, unknown>) => [p.old_text, p.new_text])).toEqual([
      ['Draft', 'Released'],
      [null, 'Draft'],
    ]);
    const measured = await list({ table_name: 'traveler_sub_steps', field_name: 'measured_value' });
    expect(measured.map((p: Record<string, unknown>) => p.new_text)).toEqual(expect.arrayContaining(['63.50', '12.009', '1.7']));
    const flags = await list({ table_name: 'traveler_sub_steps', field_name: 'requires_measurement' });
    expect(new Set(flags.map((p: Record<string, unknown>) => p.new_text))).toEqual(new Set(['Yes', 'No']));
  });
});

describe('the CSV export', () => {
  it('adds labels, titles and names beside the codes and ids, times in the shop’s zone beside UTC', async () => {
    const rows = await csv(quality, { 'filters.table_name': 'travelers', 'filters.record_id': ids.released, 'filters.field_name': 'status' });
    const release = rows.find((r) => r.old_value_stored === 'draft')!;
    expect(release).toMatchObject({
      action: 'Changed',
      action_code: 'update',
      record_type: 'Travelers',
      table_name: 'travelers',
      record_title: floor.released.number,
      record_id: ids.released,
      field: 'Status',
      field_name: 'status',
      old_value: 'Draft',
      new_value: 'Released',
      old_value_stored: 'draft',
      new_value_stored: 'released',
      user: SETUP.label,
    });
    expect(release.occurred_at_utc).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
    expectShopTime(release.occurred_at!, release.occurred_at_utc!);

    const measured = await csv(quality, { 'filters.table_name': 'traveler_sub_steps', 'filters.field_name': 'measured_value' });
    const block = measured.find((r) => r.record_title === 'Sub-step 2 — Block height' && r.new_value_stored === '63.5000');
    expect(block).toMatchObject({ new_value: '63.50', field: 'Measured' });

    const edits = await csv(quality, { 'filters.table_name': 'travelers', 'filters.record_id': ids.editable, 'filters.actor_id': String(t.users.engineer.id) });
    expect(edits.map((r) => [r.field_name, r.user, r.browser, r.user_agent])).toEqual([
      ['notes', 'Test engineer (engineer.user)', 'Chrome 156 on Linux', CHROME],
      ['quantity', 'Test engineer (engineer.user)', 'Chrome 156 on Linux', CHROME],
    ]);
  });

  it('the export drawer names the filters as people read them', async () => {
    const res = await quality.get('/admin/api/resources/audit_logs/actions/exportCsv').query({
      'filters.table_name': 'travelers',
      'filters.record_id': ids.editable,
      'filters.actor_id': String(t.users.engineer.id),
      'filters.action': 'update',
      'filters.occurred_at~~from': '2026-01-01T00:00:00.000Z',
    });
    expect(res.status).toBe(200);
    expect(res.body.filters).toEqual([
      { name: 'Record type', value: 'Travelers' },
      { name: 'Record', value: `${floor.draft.number} (#${ids.editable})` },
      { name: 'User', value: 'Test engineer (engineer.user)' },
      { name: 'Action', value: 'Changed' },
      { name: 'From', value: '2025-12-31 18:00:00 CST' },
    ]);
  });
});

describe('the favicon', () => {
  it('is served by NEXUS itself, before sign-in, cached, and linked from the panel’s pages', async () => {
    const res = await supertest(t.app).get('/admin/favicon.png').buffer(true);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers['cache-control']).toMatch(/max-age=604800/);
    expect(res.headers.etag).toMatch(/^(W\/)?"[^"]+"$/);
    expect((res.body as Buffer).subarray(1, 4).toString()).toBe('PNG');
    const login = await supertest(t.app).get('/admin/login');
    expect(login.text).toContain('href="/admin/favicon.png"');
    const page = await quality.get('/admin');
    expect(page.text).toContain('href="/admin/favicon.png"');
    expect(page.text).not.toMatch(/<link[^>]+icon[^>]+href="https?:/);
  });
});
