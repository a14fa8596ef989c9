import { Op, Sequelize, type Model, type ModelStatic, type WhereOptions } from 'sequelize';
import { BadQueryError } from '../shared/bad-query-error.js';
import { RESOURCE_RULES, type ResourceId, type SessionUser } from '../auth/access-rules.js';
import { Customer, Part, Traveler, User, WorkOrder } from '../models/index.js';
import { CONTROL_CHARACTER } from '../records/input-coercion.js';
import { TITLE_PROPERTY, titleLiteral, titleSearch } from '../records/record-title-sql.js';

/**
 * The top bar's one search box: travelers, work orders, parts, customers (and, for those who may
 * read them, users) by number or name, grouped by kind. Each kind is searched as its own list's
 * search box searches it (records/record-title-sql.ts: every word somewhere in the title), so the box
 * and the list agree on what matches, and "all results" is that list filtered by the same text.
 *
 * Fast at a million travelers: a large table is searched only through its trigram-indexed
 * number (migrations/...-number-search-indexes), and only with words of three characters or more,
 * the shortest the trigram index answers. A shorter word would make PostgreSQL read every row
 * when it matches nothing (about a second at a million travelers), so for those tables it is
 * left out and the answer says so. Each kind returns a handful of rows in the list's order
 * (the title), a number typed in full first.
 */

export const MAX_SEARCH_LENGTH = 100;
export const RESULTS_PER_KIND = 5;
/** The shortest word a trigram index answers. */
export const MIN_INDEXED_WORD = 3;

export class SearchQueryError extends BadQueryError {
  override name = 'SearchQueryError';
}

interface SearchKind {
  kind: ResourceId;
  label: string;
  model: ModelStatic<Model>;
  /** The identifier a person types in full ("T-26007", "HB-1042"): an exact hit comes first. */
  identifier: string;
  /** Searched through a trigram index only (large tables): short words are left out. */
  large: boolean;
  /** A short line that tells results apart, as SQL over the row `$t`. */
  detail: string;
}

const humanStatus = (column: string) => `replace($t.${column}, '_', ' ')`;

/** In the order the groups are shown. */
const KINDS: readonly SearchKind[] = [
  {
    kind: 'travelers',
    label: 'Travelers',
    model: Traveler,
    identifier: 'number',
    large: true,
    detail: `concat_ws(' · ', (SELECT p.part_number FROM parts p WHERE p.id = $t.part_id), ${humanStatus('status')}, 'due ' || to_char($t.due_date, 'YYYY-MM-DD'))`,
  },
  {
    kind: 'work_orders',
    label: 'Work orders',
    model: WorkOrder,
    identifier: 'number',
    large: true,
    detail: `concat_ws(' · ', (SELECT c.name FROM customers c WHERE c.id = $t.customer_id), (SELECT p.part_number FROM parts p WHERE p.id = $t.part_id), ${humanStatus('status')})`,
  },
  {
    kind: 'parts',
    label: 'Parts',
    model: Part,
    identifier: 'part_number',
    large: false,
    detail: `concat_ws(' · ', $t.description, CASE WHEN NOT $t.active THEN 'inactive' END)`,
  },
  {
    kind: 'customers',
    label: 'Customers',
    model: Customer,
    identifier: 'code',
    large: false,
    detail: `concat_ws(' · ', $t.code, CASE WHEN NOT $t.active THEN 'inactive' END)`,
  },
  {
    kind: 'users',
    label: 'Users',
    model: User,
    identifier: 'username',
    large: false,
    detail: `concat_ws(' · ', $t.username, $t.role, CASE WHEN NOT $t.active THEN 'deactivated' END)`,
  },
];

export interface SearchHit {
  id: number;
  title: string;
  detail: string;
}

export interface SearchGroup {
  kind: ResourceId;
  label: string;
  hits: SearchHit[];
  /** More rows match than are shown: the list filtered by the same text has them all. */
  more: boolean;
}

export interface SearchResult {
  text: string;
  groups: SearchGroup[];
  /** Kinds that were not searched, and why ("type 3 characters or more to search travelers"). */
  notes: string[];
}

/** The search text as typed, checked: what is refused is refused with its reason. */
export function searchTextOf(raw: unknown): string {
  if (raw === undefined) throw new SearchQueryError('Say what to search for: ?q=<number or name>.');
  if (typeof raw !== 'string') throw new SearchQueryError('q must be given once, as text.');
  if (raw.length > MAX_SEARCH_LENGTH)
    throw new SearchQueryError(`The search text is ${raw.length} characters long; at most ${MAX_SEARCH_LENGTH} are searched.`);
  if (CONTROL_CHARACTER.test(raw)) throw new SearchQueryError('The search text contains an invisible control character; remove it.');
  return raw.trim().replace(/\s+/g, ' ');
}

const bind = (sql: string, model: ModelStatic<Model>) => sql.replaceAll('$t.', `"${model.name.replace(/"/g, '""')}".`);

async function searchKind(kind: SearchKind, text: string): Promise<SearchHit[] | null> {
  const { model } = kind;
  const words = text.split(' ').filter((word) => !kind.large || word.length >= MIN_INDEXED_WORD);
  const where = words.length ? titleSearch(model, words.join(' ')) : undefined;
  if (!where) return null;
  const title = titleLiteral(model)!;
  const attributes: Array<string | [ReturnType<typeof Sequelize.literal>, string]> = [
    model.primaryKeyAttribute,
    [title, TITLE_PROPERTY],
    [Sequelize.literal(bind(kind.detail, model)), 'detail'],
  ];
  // The identifier typed in full, as typed or in capitals or small letters: an equality the
  // unique index answers at once. (A case-insensitive LIKE without wildcards is planned as a
  // scan that hopes to stop early, and reads every traveler when nothing matches.)
  const spellings = [...new Set([text, text.toUpperCase(), text.toLowerCase()])];
  const exactWhere: WhereOptions | undefined = text.includes(' ') ? undefined : { [kind.identifier]: { [Op.in]: spellings } };
  const [exact, rows] = await Promise.all([
    exactWhere ? model.findAll({ where: exactWhere, attributes, limit: 1, raw: true }) : Promise.resolve([]),
    // One more than is shown, to know whether there are more. Ordered by the title as the list is;
    // at a million travelers PostgreSQL reads the number index in order and stops at the sixth match,
    // or, for a rare text, takes the few matches from the trigram index.
    model.findAll({
      where,
      attributes,
      order: [
        [title, 'ASC'],
        [model.primaryKeyAttribute, 'ASC'],
      ],
      limit: RESULTS_PER_KIND + 1,
      raw: true,
    }),
  ]);
  const hits = [...exact, ...rows] as unknown as Array<Record<string, unknown>>;
  const seen = new Set<number>();
  return hits
    .map((row) => ({ id: Number(row[model.primaryKeyAttribute]), title: String(row[TITLE_PROPERTY] ?? ''), detail: String(row.detail ?? '') }))
    .filter((hit) => !seen.has(hit.id) && seen.add(hit.id));
}

/** Searches every kind the person may read; the kinds they may not read are not searched at all. */
export async function globalSearch(user: SessionUser, rawText: unknown): Promise<SearchResult> {
  const text = searchTextOf(rawText);
  if (text === '') return { text, groups: [], notes: [] };
  const kinds = KINDS.filter((k) => RESOURCE_RULES[k.kind].read(user));
  const found = await Promise.all(kinds.map((kind) => searchKind(kind, text)));
  const groups: SearchGroup[] = [];
  const notes: string[] = [];
  kinds.forEach((kind, i) => {
    const hits = found[i];
    if (hits === null || hits === undefined) {
      notes.push(`Type ${MIN_INDEXED_WORD} characters or more to search ${kind.label.toLowerCase()}.`);
      return;
    }
    if (hits.length === 0) return;
    groups.push({ kind: kind.kind, label: kind.label, hits: hits.slice(0, RESULTS_PER_KIND), more: hits.length > RESULTS_PER_KIND });
  });
  return { text, groups, notes };
}
