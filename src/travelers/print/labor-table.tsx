import React from 'react';
import type { LaborSummary } from '../labor.service.js';
import { formatHours } from './print-format.js';

/** Hours per work center, estimated against actual, and what was not booked to a step. */
export function LaborTable({ labor, centerNames }: { labor: LaborSummary; centerNames: Map<string, string> }) {
  const clockedIn = labor.steps.reduce((n, s) => n + s.clocked_in, 0);
  return (
    <>
      <table className="labor" data-testid="labor-summary">
        <thead>
          <tr>
            <th>Work center</th>
            <th className="num">Estimated h</th>
            <th className="num">Actual h</th>
            <th className="num">Difference h</th>
          </tr>
        </thead>
        <tbody>
          {labor.byWorkCenter.map((c) => (
            <tr key={c.work_center} data-testid={`labor-${c.work_center}`}>
              <td>
                {c.work_center}
                {centerNames.has(c.work_center) ? ` · ${centerNames.get(c.work_center)}` : ''}
              </td>
              <td className="num">{formatHours(c.estimated_hours)}</td>
              <td className="num">{formatHours(c.actual_hours)}</td>
              <td className="num">{formatHours(c.actual_hours - c.estimated_hours)}</td>
            </tr>
          ))}
          {labor.unassigned_hours ? (
            <tr data-testid="labor-unassigned">
              <td>Not booked to a step</td>
              <td className="num"></td>
              <td className="num">{formatHours(labor.unassigned_hours)}</td>
              <td className="num"></td>
            </tr>
          ) : null}
        </tbody>
        <tfoot>
          <tr data-testid="labor-total">
            <td>Total</td>
            <td className="num">{formatHours(labor.total.estimated_hours)}</td>
            <td className="num">{formatHours(labor.total.actual_hours)}</td>
            <td className="num">{formatHours(labor.total.actual_hours - labor.total.estimated_hours)}</td>
          </tr>
        </tfoot>
      </table>
      {clockedIn ? <p className="meta">{clockedIn} clocked in now: open time counts once they clock out.</p> : null}
    </>
  );
}
