import React from 'react';
import { DISPOSITION_LABELS } from '../../models/constants.js';
import type { PrintSubStep } from '../traveler-print.service.js';
import { formatMeasured, formatSpec, formatTime } from './print-format.js';

function Disposition({ sub }: { sub: PrintSubStep }) {
  if (!sub.out_of_limits) return null;
  if (!sub.disposition) return <div className="disposition">Awaiting quality disposition</div>;
  return (
    <div className="disposition" data-testid={`disposition-${sub.id}`}>
      Disposition: {DISPOSITION_LABELS[sub.disposition] ?? sub.disposition}, by {sub.disposition_by} at {formatTime(sub.disposition_at)}: {sub.disposition_note}
    </div>
  );
}

/** A step's checks: limits, measured values and who did each, with blank lines to fill in by hand. */
export function CheckTable({ subSteps }: { subSteps: PrintSubStep[] }) {
  if (subSteps.length === 0) return null;
  return (
    <table className="checks">
      <thead>
        <tr>
          <th aria-label="Done"></th>
          <th>#</th>
          <th>Check</th>
          <th className="num">Spec</th>
          <th className="num">Measured</th>
          <th>Result</th>
          <th>Done by</th>
        </tr>
      </thead>
      <tbody>
        {subSteps.map((sub) => (
          <tr key={sub.id} data-testid={`check-${sub.id}`}>
            <td>
              <span className="box">{sub.completed_at ? '✓' : ''}</span>
            </td>
            <td>{sub.sequence}</td>
            <td>{sub.description}</td>
            <td className="num">{formatSpec(sub) || (sub.requires_measurement ? 'record value' : '—')}</td>
            <td className="num">{sub.measured_value !== null ? formatMeasured(sub) : sub.requires_measurement ? <span className="blank"></span> : null}</td>
            <td>
              {sub.out_of_limits ? <span className="oot">OUT OF LIMITS</span> : sub.completed_at ? 'OK' : null}
              <Disposition sub={sub} />
            </td>
            <td>{sub.completed_at ? `${sub.completed_by} ${formatTime(sub.completed_at)}` : <span className="blank"></span>}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
