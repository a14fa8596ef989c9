import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type TestAgent from 'supertest/lib/agent.js';
import { buildFloor, type Floor } from './support/floor-fixtures.js';
import { createTestApp, type TestApp } from './support/test-app.js';

/**
 * Records are named where they are chosen or linked by a title that tells them apart
 * (records/record-title-sql.ts), searched by any part of it, and pickers offer only what may be chosen
 * and what belongs to the earlier choice — as the panel's picker asks the search action.
 */
let t: TestApp;
let floor: Floor;
let engineer: TestAgent;
let operator: TestAgent;

async function rows<T>(sql: string, params: unknown[] = []): Promise<T[]> {
  return (await t.db.query(sql, params)).rows as T[];
}

async function search(agent: TestAgent, resource: string, text: string, params: Record<string, string> = {}) {
  const res = await agent.get(`/admin/api/resources/${resource}/actions/search/${encodeURIComponent(text)}`).query(params);
  return { status: res.status, body: res.body as { records?: Array<{ id: string; title: string; params: Record<string, unknown> }>; error?: string } };
}

const titles = (records: Array<{ title: string }> | undefined) => (records ?? []).map((r) => r.title).sort();

let revisionTitles: Array<{ id: number; title: string; part_id: number; status: string }>;
/** The floor's manifold part number, and its revisions A (obsolete), B (released) and C (draft) as titled. */
let manifold: string;
let manifoldRevs: { A: string; B: string; C: string };

beforeAll(async () => {
  t = await createTestApp();
  floor = await buildFloor(t.db);
  manifold = floor.parts.manifold.number;
  manifoldRevs = { A: `${manifold} rev A`, B: `${manifold} rev B`, C: `${manifold} rev C` };
  engineer = await t.signIn('engineer');
  operator = await t.signIn('operator');
  revisionTitles = await rows(
    `SELECT r.id, p.part_number || ' rev ' || r.revision_code AS title, r.part_id, r.status FROM revisions r JOIN parts p ON p.id = r.part_id ORDER BY 2`,
  );
});

afterAll(async () => {
  await t.close();
});

describe('titles that tell records apart', () => {
  it('names every revision by its part and code, and no two alike', async () => {
    const found = await search(engineer, 'revisions', '');
    expect(found.status).toBe(200);
    expect(titles(found.body.records)).toEqual(revisionTitles.map((r) => r.title).sort());
    // The stock title was the bare code: "A" three times.
    expect(new Set(titles(found.body.records)).size).toBe(revisionTitles.length);
    expect(titles(found.body.records)).toContain(manifoldRevs.A);
  });

  it('finds a record by any part of its title, every word anywhere', async () => {
    expect(titles((await search(engineer, 'revisions', manifold)).body.records)).toEqual([manifoldRevs.A, manifoldRevs.B, manifoldRevs.C]);
    expect(titles((await search(engineer, 'revisions', `c ${manifold}`)).body.records)).toEqual([manifoldRevs.C]);
    expect(titles((await search(engineer, 'revisions', 'nothing-like-this')).body.records)).toEqual([]);
    // LIKE's wildcards typed by a person are letters, not patterns.
    expect(titles((await search(engineer, 'revisions', '%')).body.records)).toEqual([]);
    expect(titles((await search(engineer, 'revisions', '_')).body.records)).toEqual([]);
  });

  it('finds a part by its description and a customer by its code, and names them shortly in lists', async () => {
    expect(titles((await search(engineer, 'parts', 'manifold')).body.records)).toEqual([manifold]);
    expect(titles((await search(engineer, 'customers', floor.customers.hydro.code)).body.records)).toEqual(['Midwest Hydraulics LLC']);
    expect(titles((await search(engineer, 'work_centers', 'inspect')).body.records)).toEqual(['Quality lab']);
  });

  it('names a routing step by its part, revision, number and operation, and its checks under it', async () => {
    const expected = await rows<{ title: string }>(
      `SELECT p.part_number || ' ' || r.revision_code || ' / ' || s.step_number || ' ' || s.operation AS title
         FROM process_steps s JOIN revisions r ON r.id = s.revision_id JOIN parts p ON p.id = r.part_id
        WHERE s.operation ILIKE '%inspect%' ORDER BY 1`,
    );
    expect(expected.length).toBeGreaterThan(1);
    const found = await search(engineer, 'process_steps', 'inspect');
    expect(titles(found.body.records)).toEqual(expected.map((e) => e.title).sort());
    expect(new Set(titles(found.body.records)).size).toBe(expected.length);

    const check = await rows<{ title: string }>(
      `SELECT p.part_number || ' ' || r.revision_code || ' / ' || s.step_number || ' ' || s.operation || ' / ' || c.sequence || ' ' || c.description AS title
         FROM sub_steps c JOIN process_steps s ON s.id = c.process_step_id JOIN revisions r ON r.id = s.revision_id JOIN parts p ON p.id = r.part_id
        ORDER BY c.id LIMIT 1`,
    );
    const words = check[0]!.title.split(' / ')[0]!; // "<part number> <revision code>"
    const found2 = await search(engineer, 'sub_steps', `${words} ${check[0]!.title.split(' / ')[2]!}`);
    expect(titles(found2.body.records)).toContain(check[0]!.title);
  });

  it('shows references in lists by the same titles', async () => {
    const res = await engineer.get('/admin/api/resources/work_orders/actions/list').query({ perPage: '50' });
    expect(res.status).toBe(200);
    const withRevision = (res.body.records as Array<{ params: Record<string, unknown>; populated: Record<string, { title: string } | null> }>).filter(
      (r) => r.params.revision_id,
    );
    expect(withRevision.length).toBeGreaterThan(0);
    for (const record of withRevision) {
      expect(record.populated.revision_id!.title).toBe(revisionTitles.find((r) => r.id === Number(record.params.revision_id))!.title);
    }
  });

  it('searches a list by its title: the first filter of each list', async () => {
    const res = await engineer.get('/admin/api/resources/revisions/actions/list').query({ 'filters.title': `${manifold} rev` });
    expect(res.status).toBe(200);
    expect(titles(res.body.records)).toEqual([manifoldRevs.A, manifoldRevs.B, manifoldRevs.C]);
    const travelers = await engineer.get('/admin/api/resources/travelers/actions/list').query({ 'filters.title': floor.travelerPrefix });
    const numbers = [floor.completed, floor.running, floor.released, floor.draft, floor.held, floor.cancelled].map((x) => x.number);
    expect(titles(travelers.body.records)).toEqual(numbers.sort());
  });
});

describe('a form posts its record back, title included', () => {
  it('saves the edit and ignores the shown title, which no one can write', async () => {
    const part = (
      await rows<{ id: number; version: number; description: string }>(`SELECT id, version, description FROM parts WHERE id = $1`, [floor.parts.shaft.id])
    )[0]!;
    const auditBefore = (
      await rows<{ n: number }>(`SELECT count(*)::int AS n FROM audit_logs WHERE table_name = 'parts' AND record_id = $1`, [String(part.id)])
    )[0]!.n;
    const admin = await t.signIn('admin');
    const res = await admin
      .post(`/admin/api/resources/parts/records/${part.id}/edit`)
      .field('title', 'FORGED title')
      .field('description', 'Pump drive shaft, 17-4PH H1150, ground')
      .field('version', String(part.version));
    expect(res.status).toBe(200);
    expect(res.body.record.errors ?? {}).toEqual({});
    const after = (await rows<{ description: string; version: number }>(`SELECT description, version FROM parts WHERE id = $1`, [part.id]))[0]!;
    expect(after).toEqual({ description: 'Pump drive shaft, 17-4PH H1150, ground', version: part.version + 1 });
    expect(res.body.record.title).toBe(floor.parts.shaft.number);
    const fields = await rows<{ field_name: string }>(`SELECT field_name FROM audit_logs WHERE table_name = 'parts' AND record_id = $1 ORDER BY id OFFSET $2`, [
      String(part.id),
      auditBefore,
    ]);
    expect(fields.map((f) => f.field_name)).not.toContain('title');
    expect(fields.map((f) => f.field_name)).toContain('description');
  });
});

describe('after creating a record', () => {
  it('lands on the new record, not on the list; a refused one stays on its form', async () => {
    const admin = await t.signIn('admin');
    const made = await admin.post('/admin/api/resources/customers/actions/new').field('code', 'LANDCO').field('name', 'Landing Co');
    expect(made.status).toBe(200);
    const id = (await rows<{ id: number }>(`SELECT id FROM customers WHERE code = 'LANDCO'`))[0]!.id;
    expect(made.body.redirectUrl).toBe(`/admin/resources/customers/records/${id}/show`);

    const before = (await rows<{ n: number }>(`SELECT count(*)::int AS n FROM customers`))[0]!.n;
    const refused = await admin.post('/admin/api/resources/customers/actions/new').field('code', 'LANDCO').field('name', 'Again');
    expect(refused.body.redirectUrl).toBeUndefined();
    expect(Object.keys(refused.body.record.errors)).toContain('code');
    expect((await rows<{ n: number }>(`SELECT count(*)::int AS n FROM customers`))[0]!.n).toBe(before);
  });
});

describe('pickers offer what may be chosen', () => {
  it('offers no obsolete revision in a form, while a search for filtering still finds it', async () => {
    const obsolete = revisionTitles.filter((r) => r.status === 'obsolete').map((r) => r.title);
    expect(obsolete).toEqual([manifoldRevs.A]);
    const picker = await search(engineer, 'revisions', manifold, { 'filters.choosable': 'true' });
    expect(titles(picker.body.records)).toEqual([manifoldRevs.B, manifoldRevs.C]);
    expect(titles((await search(engineer, 'revisions', manifold)).body.records)).toContain(manifoldRevs.A);
  });

  it('offers a work order only the revisions of the part chosen before', async () => {
    const bracket = floor.parts.bracket.id;
    const picker = await search(engineer, 'revisions', '', { 'filters.choosable': 'true', 'filters.part_id': String(bracket) });
    expect(titles(picker.body.records)).toEqual(
      revisionTitles
        .filter((r) => r.part_id === bracket && r.status !== 'obsolete')
        .map((r) => r.title)
        .sort(),
    );
    expect(titles(picker.body.records)).toEqual([`${floor.parts.bracket.number} rev A`]);
    expect(picker.body.records!.filter((r) => Number(r.params.part_id) !== bracket)).toEqual([]);
  });

  it('offers a labor entry only the steps of the chosen traveler, named by traveler and step', async () => {
    const traveler = floor.running;
    const steps = await rows<{ title: string }>(
      `SELECT $2 || ' / ' || step_number || ' ' || operation AS title FROM traveler_steps WHERE traveler_id = $1 ORDER BY 1`,
      [traveler.id, traveler.number],
    );
    const picker = await search(operator, 'traveler_steps', '', { 'filters.traveler_id': String(traveler.id) });
    expect(picker.status).toBe(200);
    expect(titles(picker.body.records)).toEqual(steps.map((s) => s.title).sort());
  });

  it('sorts a picker by what it shows', async () => {
    const found = await search(engineer, 'revisions', '', { sortBy: 'title', direction: 'asc' });
    const shown = (found.body.records ?? []).map((r) => r.title);
    expect(shown).toEqual([...shown].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(shown.length).toBe(revisionTitles.length);
  });

  it('answers a malformed picker query with a 400 that names the parameter, and reads nothing else', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'filters.choosable': 'yes' }, /filters\.choosable must be true/],
      [{ 'filters.part_id': 'abc' }, /filters\.part_id must be a whole number/],
      [{ 'filters.password_hash': 'x' }, /is not a filter of this list/],
      [{ sortBy: 'password_hash' }, /sortBy must name a column/],
    ];
    for (const [params, message] of cases) {
      const res = await search(engineer, 'revisions', 'A', params);
      expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: expect.stringMatching(message) });
    }
    const users = await search(await t.signIn('admin'), 'users', 'a', { 'filters.password_hash': 'x' });
    expect(users.status).toBe(400);
  });
});
