import type { ReadResult } from './panel-reads.js';
import type { BenchSettings } from './settings.js';
import { ms, thousands, type Latency } from './stats.js';

/** Sections (3) and (4) of docs/benchmarks.md; `cpuLine` is the sentence on the CPU used meanwhile. */
export function renderReadSections(reads: ReadResult[], s: BenchSettings, cpuLine: string): string[] {
  const lists = reads.filter((r) => r.target !== 'history');
  const history = reads.filter((r) => r.target === 'history');
  const requests = reads.reduce((sum, r) => sum + r.latency.n, 0);
  const urls = reads.reduce((sum, r) => sum + r.distinctUrls, 0);
  return [
    "## (3) The panel's list API",
    '',
    `\`GET /admin/api/resources/<resource>/actions/list?<filters>&page=…&perPage=${s.perPage}\` over HTTP with a signed-in`,
    "administrator's session cookie, one request after another on one kept-alive connection. Each case asks",
    'for many different URLs, each of them once, as users load them, rather than one URL again and again',
    '(which PostgreSQL and the app answer from caches a user who opens a page once does not find warm):',
    'filter values spread over what exists, and for each value pages from 1 to its deepest (page',
    `${s.deepPage}, or the last full page of what it matches), evenly on a log scale (as many near the front as`,
    'deep), each value starting at a different one of them. The cases of (3) and (4) take turns, one',
    'request each per round, each round starting with the next case, so that no case meets the app cold',
    `and no URL follows itself. First up to ${s.warmup} untimed requests per case (other URLs of the same kind),`,
    `then up to ${s.samples} timed (from sending the request to the last byte of the answer); p50, p95 and max are`,
    `over the case's URLs. In all ${thousands(requests)} timed requests to ${thousands(urls)} different URLs.`,
    "Sort: the resource's default (travelers by `updated_at` desc, audit log by `occurred_at` desc).",
    '',
    table(
      ['case', 'URLs', 'pages', 'rows matching', 'p50 ms', 'p95 ms', 'max ms', 'page 1: p95 ms (n)', 'deeper: p95 ms (n)', 'failed'],
      lists.map((r) => [
        r.label,
        String(r.distinctUrls),
        r.pages ? `${r.pages.min} to ${r.pages.max}` : '',
        r.matching ? (r.matching.min === r.matching.max ? thousands(r.matching.min) : `${thousands(r.matching.min)} to ${thousands(r.matching.max)}`) : '',
        ms(r.latency.p50),
        ms(r.latency.p95),
        ms(r.latency.max),
        split(r.firstPage),
        split(r.deeperPages),
        String(r.failures),
      ]),
    ),
    '',
    'What each case asks for, its slowest request, and what the answers held:',
    '',
    ...lists.map(
      (r) => `- **${r.label}**: ${r.sampled}. ${slowest(r)}. ${answers(r, 'Rows')}${r.estimatedTotals ? `, the total estimated in ${r.estimatedTotals}` : ''}.`,
    ),
    '',
    cpuLine,
    '',
    '## (4) History of a record',
    '',
    "`GET /admin/api/history/travelers/<id>` (what the History page loads: the traveler's",
    'changes and those of its steps, checks, manual steps and labor, newest first, 200 at most),',
    "same method as (3), taking turns with (3)'s cases: the History of many different travelers, each",
    'asked once, and, as a case of its own, that of the busiest traveler (one of the oldest) asked again',
    'and again.',
    '',
    table(
      ['case', 'URLs', 'p50 ms', 'p95 ms', 'max ms', 'failed', 'changes per answer'],
      history.map((r) => [
        r.label,
        String(r.distinctUrls),
        ms(r.latency.p50),
        ms(r.latency.p95),
        ms(r.latency.max),
        String(r.failures),
        r.answerSizes ? range(r.answerSizes) : '—',
      ]),
    ),
    '',
    ...history.map((r) => `- **${r.label}**: ${r.sampled}. ${slowest(r)}.`),
    '',
  ];
}

function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

function split(l: Latency | null): string {
  return l ? `${ms(l.p95)} (${l.n})` : '—';
}

function range(r: { min: number; max: number }): string {
  return r.min === r.max ? thousands(r.min) : `${thousands(r.min)} to ${thousands(r.max)}`;
}

function slowest(r: ReadResult): string {
  return r.slowest ? `Slowest: \`${r.slowest.path}\`, ${ms(r.slowest.ms)} ms` : 'No request answered';
}

function answers(r: ReadResult, unit: string): string {
  if (r.failures) return `${r.failures} failed, the first: ${r.firstFailure}`;
  return r.answerSizes ? `${unit} per answer: ${range(r.answerSizes)}` : 'no answers';
}
