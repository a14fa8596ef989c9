import React from 'react';
import { Badge, TableCell, TableHead, TableRow } from '@adminjs/design-system';
import { VISUALLY_HIDDEN } from '../visually-hidden.js';

const th: React.CSSProperties = { textAlign: 'left', whiteSpace: 'nowrap' };
// The panel's status colours (value-badge.tsx): white text at a contrast of at least 6.5:1.
const STATUS_COLOURS: Record<string, string> = {
  draft: '#4b5563',
  released: '#1d4ed8',
  obsolete: '#991b1b',
  in_progress: '#92400e',
  on_hold: '#9a3412',
  completed: '#166534',
  cancelled: '#991b1b',
};

/** A record's status as the panel colours it. */
export const StatusBadge: React.FC<{ status: string }> = ({ status }) => {
  const colour = STATUS_COLOURS[status] ?? '#4b5563';
  return (
    <Badge style={{ backgroundColor: colour, borderColor: colour, color: '#ffffff', whiteSpace: 'nowrap' }} data-value={status}>
      {status.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())}
    </Badge>
  );
};

/**
 * A table's header row: one column header a name. `actions` names a last column of buttons, for
 * screen readers only (the buttons say what they do).
 */
export const ColumnHeaders: React.FC<{ columns: readonly string[]; actions?: string }> = ({ columns, actions }) => (
  <TableHead>
    <TableRow>
      {columns.map((column) => (
        <TableCell key={column} as="th" scope="col" style={th}>
          {column}
        </TableCell>
      ))}
      {actions !== undefined && (
        <TableCell as="th" scope="col" style={th}>
          <span style={VISUALLY_HIDDEN}>{actions}</span>
        </TableCell>
      )}
    </TableRow>
  </TableHead>
);
