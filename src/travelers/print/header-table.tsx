import React from 'react';
import type { TravelerPrintData } from '../traveler-print.service.js';
import { formatTime, statusLabel } from './print-format.js';

/** What the traveler is for: work order, part, revision, customer, quantity, dates and status. */
export function HeaderTable({ data }: { data: TravelerPrintData }) {
  const h = data.header;
  return (
    <table className="header" data-testid="print-header">
      <tbody>
        <tr>
          <th>Traveler</th>
          <td data-testid="header-traveler">{h.number}</td>
          <th>Status</th>
          <td data-testid="header-status">
            {statusLabel(h.status)}
            {h.status_reason ? ` — ${h.status_reason}` : null}
          </td>
        </tr>
        <tr>
          <th>Work order</th>
          <td data-testid="header-work-order">{h.work_order_number}</td>
          <th>Quantity</th>
          <td data-testid="header-quantity">{h.quantity}</td>
        </tr>
        <tr>
          <th>Part</th>
          <td data-testid="header-part">
            {h.part_number} — {h.part_description}
          </td>
          <th>Revision</th>
          <td data-testid="header-revision">{h.revision_code}</td>
        </tr>
        <tr>
          <th>Customer</th>
          <td data-testid="header-customer">
            {h.customer_name} ({h.customer_code})
          </td>
          <th>Due date</th>
          <td data-testid="header-due-date">{h.due_date ?? '—'}</td>
        </tr>
        <tr>
          <th>Released</th>
          <td>{formatTime(h.released_at) || '—'}</td>
          <th>Started</th>
          <td>{formatTime(h.started_at) || '—'}</td>
        </tr>
        <tr>
          <th>Completed</th>
          <td>{formatTime(h.completed_at) || '—'}</td>
          <th>Printed</th>
          <td>{formatTime(data.printedAt)}</td>
        </tr>
        {h.notes ? (
          <tr>
            <th>Notes</th>
            <td colSpan={3} className="notes" data-testid="header-notes">
              {h.notes}
            </td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}
