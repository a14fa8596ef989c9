import React, { useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { PendingBanner, type PendingRequest } from './pending-changes.js';
import { Badge, Box, H3, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

// The shapes sent by src/audit/audit-history.service.ts (components are bundled apart from the server code).
interface RecordRef {
  table: string;
  id: string;
  title: string;
  exists: boolean;
}

interface FieldChange {
  field: string;
  label: string;
  old: string | null;
  new: string | null;
  oldRef?: RecordRef;
  newRef?: RecordRef;
  secret?: true;
}

interface HistoryEntry {
  changeId: string;
  at: string;
  action: 'create' | 'update' | 'delete';
  record: RecordRef & { tableLabel: string; isSubject: boolean };
  actor: { kind: string; id: number | null; username: string; name: string | null; email: string | null };
  ipAddress?: string | null;
  userAgent?: string | null;
  requestId: string | null;
  approvalId: number | null;
  signature?: { name: string; meaning: string; signedAt: string | null };
  changes: FieldChange[];
}


export interface RecordHistory {
  subject: RecordRef & { tableLabel: string };
  entries: HistoryEntry[];
  limit: number;
  olderEntriesExist: boolean;
}


const COLORS = { removed: '#b3001b', removedBg: '#fdecee', added: '#0b6b2f', addedBg: '#e7f6ec', muted: '#6b7280', border: '#e5e7eb' };
const ACTION = {
  create: { label: 'Created', variant: 'success', color: '#0b6b2f' },
  update: { label: 'Changed', variant: 'info', color: '#3040d6' },
  delete: { label: 'Deleted', variant: 'danger', color: '#b3001b' },
} as const;

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

function shown(value: string | null, ref?: RecordRef): string | null {
  if (value === null) return null;
  if (!ref) return value;
  // A title that already carries the id ("#12 (deleted)") is not repeated with it.
  return ref.title.includes(`#${ref.id}`) ? ref.title : `${ref.title} (#${ref.id})`;
}

const Empty: React.FC = () => <span style={{ color: COLORS.muted, fontStyle: 'italic' }}>(empty)</span>;

const Before: React.FC<{ value: string | null }> = ({ value }) =>
  value === null ? (
    <Empty />
  ) : (
    <del data-testid="history-old" style={{ color: COLORS.removed, background: COLORS.removedBg, textDecoration: 'line-through', whiteSpace: 'pre-wrap', padding: '1px 3px' }}>
      {value}
    </del>
  );

const After: React.FC<{ value: string | null }> = ({ value }) =>
  value === null ? (
    <Empty />
  ) : (
    <ins data-testid="history-new" style={{ color: COLORS.added, background: COLORS.addedBg, textDecoration: 'none', whiteSpace: 'pre-wrap', padding: '1px 3px' }}>
      {value}
    </ins>
  );

const Who: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const { actor } = entry;
  if (actor.kind === 'system') return <Text as="span">System ({actor.username.replace(/^system:/, '')})</Text>;
  return (
    <Text as="span">
      <strong>{actor.name ?? actor.username}</strong> ({actor.username}){actor.email ? ` · ${actor.email}` : ''}
    </Text>
  );
};

const Changes: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const { action } = entry;
  return (
    <Table style={{ width: '100%', tableLayout: 'fixed' }}>
      <TableHead>
        <TableRow>
          <TableCell style={{ width: '24%' }}>Field</TableCell>
          {action === 'update' && <TableCell>Before</TableCell>}
          {action === 'update' && <TableCell>After</TableCell>}
          {action === 'create' && <TableCell>Value</TableCell>}
          {action === 'delete' && <TableCell>Last value</TableCell>}
        </TableRow>
      </TableHead>
      <TableBody>
        {entry.changes.map((change) => (
          <TableRow key={change.field} data-testid={`history-field-${change.field}`}>
            <TableCell style={{ verticalAlign: 'top' }}>
              <Text as="span" fontWeight="bold">{change.label}</Text>
            </TableCell>
            {change.secret ? (
              <TableCell colSpan={action === 'update' ? 2 : 1}>
                <Text as="span">{action === 'create' ? 'Password set' : 'Password changed'} (passwords are never recorded or shown)</Text>
              </TableCell>
            ) : (
              <>
                {action !== 'create' && (
                  <TableCell style={{ verticalAlign: 'top', wordBreak: 'break-word' }}>
                    <Before value={shown(change.old, change.oldRef)} />
                  </TableCell>
                )}
                {action !== 'delete' && (
                  <TableCell style={{ verticalAlign: 'top', wordBreak: 'break-word' }}>
                    <After value={shown(change.new, change.newRef)} />
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

export const Entry: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const action = ACTION[entry.action];
  return (
    <Box
      variant="card"
      mb="lg"
      p="lg"
      data-testid="history-entry"
      style={{ borderLeft: `4px solid ${action.color}` }}
    >
      <Box flex flexWrap="wrap" alignItems="center" mb="sm" style={{ gap: 8 }}>
        <Badge variant={action.variant} size="sm">{action.label}</Badge>
        <Text as="span" fontWeight="bold">{entry.record.title}</Text>
        {!entry.record.isSubject && <Text as="span" color="grey60">({entry.record.tableLabel})</Text>}
        <Text as="span" color="grey60" ml="auto" title={entry.at}>{when(entry.at)}</Text>
      </Box>
      <Box mb="sm">
        <Text as="span" color="grey60">by </Text>
        <Who entry={entry} />
      </Box>
      {(entry.ipAddress || entry.userAgent || entry.requestId || entry.approvalId) && (
        <Box mb="md">
          <Text fontSize="sm" color="grey60" style={{ wordBreak: 'break-word' }}>
            {entry.ipAddress ? `From ${entry.ipAddress}` : ''}
            {entry.userAgent ? `${entry.ipAddress ? ' · ' : ''}${entry.userAgent}` : ''}
            {entry.requestId ? `${entry.ipAddress || entry.userAgent ? ' · ' : ''}request ${entry.requestId}` : ''}
          </Text>
          {entry.approvalId && (
            <Text fontSize="sm">
              Approved change: <Link href={`/admin/resources/approvals/records/${entry.approvalId}/show`}>approval #{entry.approvalId}</Link>
              {entry.signature && (
                <span data-testid="history-signature">
                  {' '}· signed by <strong>{entry.signature.name}</strong>, {entry.signature.meaning}
                  {entry.signature.signedAt ? `, ${when(entry.signature.signedAt)}` : ''}
                </span>
              )}
            </Text>
          )}
        </Box>
      )}
      <Changes entry={entry} />
    </Box>
  );
};

const History: React.FC<ActionProps> = ({ resource, record }) => {
  const [history, setHistory] = useState<RecordHistory | null>(null);
  const [pending, setPending] = useState<PendingRequest[]>([]);
  const [error, setError] = useState<string | null>(null);
  const recordId = record?.id;

  useEffect(() => {
    if (!recordId) return;
    // The lean route (src/admin/history.routes.ts), not the action: AdminJS has the record already.
    fetch(`/admin/api/history/${encodeURIComponent(resource.id)}/${encodeURIComponent(recordId)}`, { credentials: 'same-origin' })
      .then(async (response) => {
        if (!response.ok) throw new Error(String(response.status));
        const data = (await response.json()) as { history: RecordHistory; pending?: PendingRequest[] };
        setPending(data.pending ?? []);
        setHistory(data.history);
      })
      .catch(() => setError('The history could not be loaded. Reload the page to try again.'));
  }, [resource.id, recordId]);

  if (error) return <MessageBox variant="danger" message={error} />;
  if (!history) return <Loader />;
  const auditLink = `/admin/resources/audit_logs?filters.table_name=${encodeURIComponent(history.subject.table)}&filters.record_id=${encodeURIComponent(history.subject.id)}`;
  return (
    <Box p="lg" style={{ maxWidth: 1100 }} data-testid="nexus-history">
      <H3>History of {history.subject.title}</H3>
      {pending.length > 0 && <PendingBanner pending={pending} testId="history-pending" />}
      <Text color="grey60" mb="lg">
        {history.entries.length === 0
          ? 'No recorded changes.'
          : `${history.entries.length} change${history.entries.length === 1 ? '' : 's'}, newest first, times in your local time.`}
      </Text>
      {history.entries.map((entry) => (
        <Entry key={entry.changeId} entry={entry} />
      ))}
      {history.olderEntriesExist && (
        <MessageBox
          variant="info"
          message={`Only the newest ${history.limit} changes are shown; older entries exist. The audit log lists them all.`}
        >
          <Link href={auditLink}>Open the audit log for this record</Link>
        </MessageBox>
      )}
    </Box>
  );
};

export default History;
