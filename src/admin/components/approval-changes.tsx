import React from 'react';
import { Box, Label, Table, TableHead, TableBody, TableRow, TableCell, Text } from '@adminjs/design-system';
import { TargetHistory } from './target-history.js';
import { ApprovalSubjectView } from './approval-subject.js';

interface Props {
  record: { id?: string; params: Record<string, unknown> };
  property?: { label?: string };
}

/** AdminJS flattens the JSON diff into "changes.<field>.old" / ".new" params; put it back together. */
export function diffOf(params: Record<string, unknown>): Array<{ field: string; old: unknown; new: unknown }> {
  const fields = new Map<string, { old: unknown; new: unknown }>();
  for (const [key, value] of Object.entries(params)) {
    const m = key.match(/^changes\.(.+)\.(old|new)$/);
    if (!m) continue;
    const entry = fields.get(m[1]!) ?? { old: null, new: null };
    entry[m[2] as 'old' | 'new'] = value;
    fields.set(m[1]!, entry);
  }
  return [...fields.entries()].map(([field, v]) => ({ field, ...v }));
}

const show = (v: unknown) => (v === null || v === undefined || v === '' ? '(empty)' : String(v));

/** The requested change as a before/after table, for the show page and the decision form. */
export const ChangesTable: React.FC<{ params: Record<string, unknown> }> = ({ params }) => {
  const diff = diffOf(params);
  if (diff.length === 0) return <Text>(no field changes)</Text>;
  return (
    <Table data-testid="approval-diff">
      <TableHead>
        <TableRow><TableCell>Field</TableCell><TableCell>Before</TableCell><TableCell>After</TableCell></TableRow>
      </TableHead>
      <TableBody>
        {diff.map((d) => (
          <TableRow key={d.field}>
            <TableCell><strong>{d.field.replace(/_id$/, '').replace(/_/g, ' ')}</strong></TableCell>
            <TableCell><span style={{ color: '#c20012', textDecoration: 'line-through' }}>{show(d.old)}</span></TableCell>
            <TableCell><span style={{ color: '#007d3a', fontWeight: 500 }}>{show(d.new)}</span></TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
};

/** The diff and, beside it, what happened to the record lately. */
export const ChangesWithHistory: React.FC<{ approvalId?: string; params: Record<string, unknown>; label?: string }> = ({ approvalId, params, label }) => (
  <Box flex flexWrap="wrap" style={{ gap: 24 }}>
    <Box style={{ flex: '1 1 380px' }}>
      {label ? <Label>{label}</Label> : null}
      <ChangesTable params={params} />
      {approvalId ? <ApprovalSubjectView approvalId={approvalId} /> : null}
    </Box>
    {approvalId ? (
      <Box style={{ flex: '1 1 420px', maxHeight: 560, overflowY: 'auto' }}>
        <TargetHistory approvalId={approvalId} />
      </Box>
    ) : null}
  </Box>
);

const ApprovalChanges: React.FC<Props> = ({ record, property }) => (
  <Box mb="xl">
    <ChangesWithHistory approvalId={record.id} params={record.params} label={property?.label ?? 'Requested change'} />
  </Box>
);

export default ApprovalChanges;
