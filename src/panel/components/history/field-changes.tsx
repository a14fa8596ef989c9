import React from 'react';
import { Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import type { HistoryEntry } from '../../../audit/audit-history.service.js';
import type { RecordRef } from '../../../audit/record-titles.js';
import { COLORS } from './history-colors.js';

/** A referenced record's id, on demand: the title is what people read. */
function idHint(value: string | null, ref?: RecordRef): string | undefined {
  if (value === null) return undefined;
  return ref ? `${ref.title.includes(`#${ref.id}`) ? '' : `#${ref.id} · `}stored as ${value}` : undefined;
}

const Empty: React.FC = () => <span style={{ color: COLORS.muted, fontStyle: 'italic' }}>(empty)</span>;

const Before: React.FC<{ value: string | null; hint?: string }> = ({ value, hint }) =>
  value === null ? (
    <Empty />
  ) : (
    <del
      data-testid="history-old"
      title={hint}
      style={{ color: COLORS.removed, background: COLORS.removedBg, textDecoration: 'line-through', whiteSpace: 'pre-wrap', padding: '1px 3px' }}
    >
      {value}
    </del>
  );

const After: React.FC<{ value: string | null; hint?: string }> = ({ value, hint }) =>
  value === null ? (
    <Empty />
  ) : (
    <ins
      data-testid="history-new"
      title={hint}
      style={{ color: COLORS.added, background: COLORS.addedBg, textDecoration: 'none', whiteSpace: 'pre-wrap', padding: '1px 3px' }}
    >
      {value}
    </ins>
  );

/** The fields one change set: before and after (or the value created, or the last value deleted). */
export const Changes: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const { action } = entry;
  return (
    <Table style={{ width: '100%', tableLayout: 'fixed' }}>
      <TableHead>
        <TableRow>
          <TableCell as="th" scope="col" style={{ width: '24%' }}>
            Field
          </TableCell>
          {action === 'update' && (
            <TableCell as="th" scope="col">
              Before
            </TableCell>
          )}
          {action === 'update' && (
            <TableCell as="th" scope="col">
              After
            </TableCell>
          )}
          {action === 'create' && (
            <TableCell as="th" scope="col">
              Value
            </TableCell>
          )}
          {action === 'delete' && (
            <TableCell as="th" scope="col">
              Last value
            </TableCell>
          )}
        </TableRow>
      </TableHead>
      <TableBody>
        {entry.changes.map((change) => (
          <TableRow key={`${change.field}`} data-testid={`history-field-${change.field}`}>
            <TableCell style={{ verticalAlign: 'top' }}>
              <Text as="span" fontWeight="bold">
                {change.label}
              </Text>
            </TableCell>
            {change.secret ? (
              <TableCell colSpan={action === 'update' ? 2 : 1}>
                <Text as="span">{action === 'create' ? 'Password set' : 'Password changed'} (passwords are never recorded or shown)</Text>
              </TableCell>
            ) : (
              <>
                {action !== 'create' && (
                  <TableCell style={{ verticalAlign: 'top', wordBreak: 'break-word' }}>
                    <Before value={change.oldText ?? change.old} hint={idHint(change.old, change.oldRef)} />
                  </TableCell>
                )}
                {action !== 'delete' && (
                  <TableCell style={{ verticalAlign: 'top', wordBreak: 'break-word' }}>
                    <After value={change.newText ?? change.new} hint={idHint(change.new, change.newRef)} />
                  </TableCell>
                )}
              </>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};
