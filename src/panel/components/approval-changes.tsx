import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, Label, Loader, Table, TableHead, TableBody, TableRow, TableCell, Text } from '@adminjs/design-system';

// The shapes sent by src/resources/approval-subject.action.ts (types only: nothing of the server is bundled).
import type { ApprovalView, RequestRecord, RequestedChange } from '../approval-view.js';

export type { ApprovalView, RequestRecord, RequestedChange };

const api = new ApiClient();

/** The request's record, subject and change as the approvals' hidden `subject` action gives them. */
export function useApprovalView(approvalId: string | null): { view: ApprovalView | null | undefined; failed: boolean } {
  const [view, setView] = useState<ApprovalView | null | undefined>(undefined);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    if (!approvalId) return undefined;
    let current = true;
    setView(undefined);
    setFailed(false);
    api
      .recordAction({ resourceId: 'approvals', recordId: approvalId, actionName: 'subject' })
      .then((response) => {
        if (current) setView((response.data as unknown as { view?: ApprovalView }).view ?? null);
      })
      .catch(() => {
        if (current) setFailed(true);
      });
    return () => {
      current = false;
    };
  }, [approvalId]);
  return { view, failed };
}

const show = (v: string | null) => (v === null ? '(empty)' : v);

/** The requested change as a before/after table, field by field, values as people read them. */
export const ChangesTable: React.FC<{ changes: RequestedChange[]; operation: ApprovalView['operation'] }> = ({ changes, operation }) => {
  if (changes.length === 0) return <Text>(no field changes)</Text>;
  return (
    <Table data-testid="approval-diff" style={{ width: '100%' }}>
      <TableHead>
        <TableRow>
          <TableCell as="th" scope="col">
            Field
          </TableCell>
          {operation === 'create' ? null : (
            <TableCell as="th" scope="col">
              Before
            </TableCell>
          )}
          {operation === 'delete' ? null : (
            <TableCell as="th" scope="col">
              {operation === 'create' ? 'Value' : 'After'}
            </TableCell>
          )}
        </TableRow>
      </TableHead>
      <TableBody>
        {changes.map((d) => (
          <TableRow key={d.field} data-testid={`approval-diff-${d.field}`}>
            <TableCell as="th" scope="row" style={{ textAlign: 'left' }}>
              {d.label}
            </TableCell>
            {operation === 'create' ? null : (
              <TableCell>{operation === 'delete' ? show(d.before) : <del style={{ color: '#8a1010' }}>{show(d.before)}</del>}</TableCell>
            )}
            {operation === 'delete' ? null : (
              <TableCell>
                <ins style={{ color: '#0b5d1e', fontWeight: 600, textDecoration: 'none' }}>{show(d.after)}</ins>
              </TableCell>
            )}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

interface Props {
  record: { id?: string; params: Record<string, unknown> };
  property?: { label?: string };
}

/** The `changes` property, wherever AdminJS shows it on its own: the table of the requested change. */
const ApprovalChanges: React.FC<Props> = ({ record, property }) => {
  const { view, failed } = useApprovalView(record.id ?? null);
  if (failed) return <Text color="grey80">The requested change could not be loaded.</Text>;
  if (view === undefined) return <Loader />;
  return (
    <Box mb="xl">
      <Label>{property?.label ?? 'Requested change'}</Label>
      {view ? <ChangesTable changes={view.changes} operation={view.operation} /> : null}
    </Box>
  );
};

export default ApprovalChanges;
