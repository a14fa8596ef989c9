import { describe, expect, it } from '@jest/globals';
import { historyWindow, narrowedWindow, recordedWindow, windowSql } from '../src/audit/audit-history.window.js';

/**
 * The months a History's search covers, as the literal conditions its text carries: whole UTC
 * months, consecutive ones joined, those a filter leaves out dropped.
 */

const at = (iso: string) => new Date(iso);
// A record whose history can start on 10 January 2026 (the day before it was made), read on 14 June 2026.
const whole = historyWindow(at('2026-01-10T08:00:00Z'), at('2026-06-14T12:00:00Z'));

describe('a History’s window', () => {
  it('runs from the month its history can start in to the month of a day from now, every month of it', () => {
    expect(windowSql(whole, 'occurred_at')).toBe(
      " AND occurred_at >= '2026-01-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-07-01T00:00:00.000Z'::timestamptz",
    );
    // On the last day of a month, the next month too: the database's clock may be ahead.
    expect(windowSql(historyWindow(null, at('2026-06-30T18:00:00Z')), 'a.occurred_at')).toBe(" AND a.occurred_at < '2026-08-01T00:00:00.000Z'::timestamptz");
  });

  it('narrowed to the recorded months and those from the earliest unrecorded time on, consecutive months joined', () => {
    const recorded = recordedWindow(whole, [at('2026-03-01T00:00:00Z'), at('2026-01-01T00:00:00Z'), at('2026-02-01T00:00:00Z')], at('2026-05-31T23:50:00Z'));
    expect(windowSql(recorded, 'occurred_at')).toBe(
      " AND (occurred_at >= '2026-01-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-04-01T00:00:00.000Z'::timestamptz" +
        " OR occurred_at >= '2026-05-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-07-01T00:00:00.000Z'::timestamptz)",
    );
  });

  it('stays whole while nothing is recorded, or when the keys are not recorded', () => {
    expect(windowSql(recordedWindow(whole, [at('2026-03-01T00:00:00Z')], null), 'occurred_at')).toBe(windowSql(whole, 'occurred_at'));
    expect(windowSql(recordedWindow(whole, null, at('2026-06-14T11:45:00Z')), 'occurred_at')).toBe(windowSql(whole, 'occurred_at'));
  });

  it('leaves out recorded months before the record was made, and for a filter the months outside it; nothing left is no search', () => {
    const recorded = recordedWindow(whole, [at('2025-11-01T00:00:00Z'), at('2026-02-01T00:00:00Z'), at('2026-04-01T00:00:00Z')], at('2026-06-14T11:45:00Z'));
    expect(windowSql(recorded, 'occurred_at')).toBe(
      " AND (occurred_at >= '2026-02-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-03-01T00:00:00.000Z'::timestamptz" +
        " OR occurred_at >= '2026-04-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-05-01T00:00:00.000Z'::timestamptz" +
        " OR occurred_at >= '2026-06-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-07-01T00:00:00.000Z'::timestamptz)",
    );
    const march = narrowedWindow(recorded, { from: at('2026-03-01T00:00:00Z'), to: at('2026-05-01T00:00:00Z') });
    expect(windowSql(march!, 'occurred_at')).toBe(
      " AND occurred_at >= '2026-04-01T00:00:00.000Z'::timestamptz AND occurred_at < '2026-05-01T00:00:00.000Z'::timestamptz",
    );
    expect(narrowedWindow(recorded, { from: at('2026-03-01T00:00:00Z'), to: at('2026-03-31T00:00:00Z') })).toBeNull();
    expect(narrowedWindow(whole, { from: at('2026-03-01T00:00:00Z'), to: at('2026-03-31T00:00:00Z') })).not.toBeNull();
  });
});
