// The shape sent by GET /admin/api/search (src/http/routes/global-search.routes.ts).
export interface Hit {
  id: number;
  title: string;
  detail: string;
  href: string;
}
export interface Group {
  kind: string;
  label: string;
  hits: Hit[];
  more: boolean;
  listHref: string;
}
export interface SearchAnswer {
  text: string;
  groups: Group[];
  notes: string[];
}

/** One choice in the results: a record, or "all matches" of a kind (its list, searched). */
export interface Choice {
  key: string;
  href: string;
  title: string;
  detail: string;
  group: number;
}

/** Longer texts are not searched (the server refuses them too). */
export const MAX_LENGTH = 100;

/** The results as one list of choices, in the order the arrows move through them. */
export function choicesOf(answer: SearchAnswer | null): Choice[] {
  if (!answer) return [];
  return answer.groups.flatMap((group, g) => [
    ...group.hits.map((hit) => ({ key: `${group.kind}-${hit.id}`, href: hit.href, title: hit.title, detail: hit.detail, group: g })),
    ...(group.more
      ? [
          {
            key: `${group.kind}-all`,
            href: group.listHref,
            title: `All ${group.label.toLowerCase()} matching “${answer.text}”`,
            detail: 'Opens the list, searched',
            group: g,
          },
        ]
      : []),
  ]);
}

/** What a screen reader hears after each answer: the counts by kind, nothing matching, or the problem. */
export function searchStatus(text: string, answer: SearchAnswer | null, problem: string | null, loading: boolean): string {
  const query = text.trim();
  return (
    problem ??
    (loading
      ? 'Searching…'
      : answer && query !== ''
        ? `${answer.groups.length === 0 ? 'Nothing matches.' : `${answer.groups.map((g) => `${g.label}: ${g.hits.length}${g.more ? ' and more' : ''}`).join('; ')}.`}${answer.notes.length ? ` ${answer.notes.join(' ')}` : ''}`
        : '')
  );
}
