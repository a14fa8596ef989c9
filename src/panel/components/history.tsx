import React, { useCallback, useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { PendingBanner, type PendingRequest } from './pending-changes.js';
import { Badge, Box, Button, H3, Input, Label, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

// The shapes sent by src/audit/audit-history.service.ts (types only: nothing of the server is bundled).
import type { HistoryEntry, HistoryFacets as Facets, RecordHistory } from '../../audit/audit-history.service.js';
import type { RecordRef } from '../../audit/record-titles.js';
import { listUrl, panelUrl, recordUrl } from './panel-urls.js';

export type { RecordHistory };

const COLORS = { removed: '#b3001b', removedBg: '#fdecee', added: '#0b6b2f', addedBg: '#e7f6ec', muted: '#6b7280', border: '#e5e7eb' };
const ACTION = {
  create: { label: 'Created', variant: 'success', color: '#0b6b2f' },
  update: { label: 'Changed', variant: 'info', color: '#3040d6' },
  delete: { label: 'Deleted', variant: 'danger', color: '#b3001b' },
} as const;

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

const Who: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const { actor } = entry;
  if (actor.kind === 'system') return <Text as="span">System ({actor.username.replace(/^system:/, '')})</Text>;
  return (
    <Text as="span">
      <strong>{actor.name ?? actor.username}</strong> ({actor.username}){actor.email ? ` · ${actor.email}` : ''}
    </Text>
  );
};

/** "Chrome 156 on Linux", opening to the full user agent (a tap on a phone, a click or hover on a desk). */
export const BrowserName: React.FC<{ browser: string | null | undefined; userAgent: string | null | undefined }> = ({ browser, userAgent }) => {
  if (!userAgent) return null;
  return (
    <details data-testid="history-browser" style={{ display: 'inline' }}>
      <summary title={userAgent} style={{ display: 'inline', cursor: 'pointer', textDecoration: 'underline dotted' }}>
        {browser ?? userAgent}
      </summary>
      <span style={{ display: 'block', wordBreak: 'break-word', fontFamily: 'monospace', fontSize: 12 }}>{userAgent}</span>
    </details>
  );
};

const Changes: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
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

export const Entry: React.FC<{ entry: HistoryEntry }> = ({ entry }) => {
  const action = ACTION[entry.action];
  const network = entry.ipAddress || entry.userAgent || entry.requestId;
  return (
    <Box variant="card" mb="lg" p="lg" data-testid="history-entry" style={{ borderLeft: `4px solid ${action.color}` }}>
      <Box flex flexWrap="wrap" alignItems="center" mb="sm" style={{ gap: 8 }}>
        <Badge variant={action.variant} size="sm">
          {action.label}
        </Badge>
        <Text as="span" fontWeight="bold">
          {entry.record.title}
        </Text>
        {!entry.record.isSubject && (
          <Text as="span" color="grey60">
            ({entry.record.tableLabel})
          </Text>
        )}
        <Text as="span" color="grey60" ml="auto" data-testid="history-when">
          <time dateTime={entry.at}>{entry.atText ?? entry.at}</time>
        </Text>
      </Box>
      <Box mb="sm">
        <Text as="span" color="grey60">
          by{' '}
        </Text>
        <Who entry={entry} />
      </Box>
      {(network || entry.approvalId) && (
        <Box mb="md">
          {network && (
            <Text fontSize="sm" color="grey60" style={{ wordBreak: 'break-word' }}>
              {entry.ipAddress ? `From ${entry.ipAddress}` : ''}
              {entry.userAgent ? (entry.ipAddress ? ' · ' : '') : ''}
              <BrowserName browser={entry.browser} userAgent={entry.userAgent} />
              {entry.requestId ? `${entry.ipAddress || entry.userAgent ? ' · ' : ''}request ${entry.requestId}` : ''}
            </Text>
          )}
          {entry.approvalId && (
            <Text fontSize="sm">
              Approved change: <Link href={recordUrl('approvals', entry.approvalId)}>approval #{entry.approvalId}</Link>
              {entry.signature && (
                <span data-testid="history-signature">
                  {' '}
                  · signed by <strong>{entry.signature.name}</strong>, {entry.signature.meaning}
                  {entry.signature.signedAtText ? `, ${entry.signature.signedAtText}` : ''}
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

interface FilterValues {
  field: string;
  user: string;
  from: string;
  to: string;
}

const NO_FILTER: FilterValues = { field: '', user: '', from: '', to: '' };

function filterFromAddress(): FilterValues {
  const params = new URLSearchParams(window.location.search);
  return { field: params.get('field') ?? '', user: params.get('user') ?? '', from: params.get('from') ?? '', to: params.get('to') ?? '' };
}

function queryOf(values: FilterValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.toString();
}

const selectStyle: React.CSSProperties = {
  height: 36,
  minWidth: 200,
  padding: '0 8px',
  border: '1px solid #c0c0ca',
  borderRadius: 4,
  background: '#fff',
  font: 'inherit',
};

/** Narrow the History to one field, one person, a span of days; the server applies and checks it. */
const HistoryFilterBar: React.FC<{ facets?: Facets; values: FilterValues; problem: string | null; onApply: (values: FilterValues) => void }> = ({
  facets,
  values,
  problem,
  onApply,
}) => {
  const [draft, setDraft] = useState<FilterValues>(values);
  useEffect(() => setDraft(values), [values]);
  const set = (key: keyof FilterValues) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [key]: event.target.value });
  const active = Object.values(values).some(Boolean);
  return (
    <Box
      as="form"
      role="search"
      aria-label="Filter the history"
      data-testid="history-filter"
      mb="lg"
      onSubmit={(event: React.FormEvent) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      <Box flex flexWrap="wrap" alignItems="flex-end" style={{ gap: 12 }}>
        <Box>
          <Label htmlFor="history-filter-field">Field</Label>
          <select id="history-filter-field" style={selectStyle} value={draft.field} onChange={set('field')}>
            <option value="">Every field</option>
            {(facets?.fields ?? []).map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
            {draft.field && !facets?.fields.some((f) => f.value === draft.field) && <option value={draft.field}>{draft.field}</option>}
          </select>
        </Box>
        <Box>
          <Label htmlFor="history-filter-user">Changed by</Label>
          <select id="history-filter-user" style={selectStyle} value={draft.user} onChange={set('user')}>
            <option value="">Anyone</option>
            {(facets?.users ?? []).map((u) => (
              <option key={u.value} value={u.value}>
                {u.label}
              </option>
            ))}
            {draft.user && !facets?.users.some((u) => u.value === draft.user) && <option value={draft.user}>{draft.user}</option>}
          </select>
        </Box>
        <Box>
          <Label htmlFor="history-filter-from">From (day)</Label>
          <Input id="history-filter-from" type="date" value={draft.from} onChange={set('from')} aria-invalid={problem ? true : undefined} />
        </Box>
        <Box>
          <Label htmlFor="history-filter-to">To (day, included)</Label>
          <Input id="history-filter-to" type="date" value={draft.to} onChange={set('to')} aria-invalid={problem ? true : undefined} />
        </Box>
        <Box flex style={{ gap: 8 }}>
          <Button type="submit" variant="contained" size="sm" data-testid="history-filter-apply">
            Apply
          </Button>
          {active && (
            <Button type="button" variant="outlined" size="sm" onClick={() => onApply(NO_FILTER)}>
              Clear
            </Button>
          )}
        </Box>
      </Box>
      {problem && (
        <Text role="alert" mt="sm" style={{ color: COLORS.removed }} data-testid="history-filter-error">
          {problem}
        </Text>
      )}
    </Box>
  );
};

const History: React.FC<ActionProps> = ({ resource, record }) => {
  const [history, setHistory] = useState<RecordHistory | null>(null);
  const [facets, setFacets] = useState<Facets | undefined>(undefined);
  const [pending, setPending] = useState<PendingRequest[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [filter, setFilter] = useState<FilterValues>(() => filterFromAddress());
  const recordId = record?.id;

  const load = useCallback(
    (values: FilterValues) => {
      if (!recordId) return;
      setLoading(true);
      const query = queryOf(values);
      // The lean route (src/http/routes/history.routes.ts), not the action: AdminJS has the record already.
      fetch(`${panelUrl(`/api/history/${encodeURIComponent(resource.id)}/${encodeURIComponent(recordId)}`)}${query ? `?${query}` : ''}`, {
        credentials: 'same-origin',
      })
        .then(async (response) => {
          const data = (await response.json().catch(() => ({}))) as { history?: RecordHistory; pending?: PendingRequest[]; error?: string };
          if (response.status === 400) {
            // A filter the server refused: said at the filter, the history shown stays.
            setProblem(data.error ?? 'This filter cannot be applied.');
            return;
          }
          if (!response.ok || !data.history) throw new Error(String(response.status));
          setProblem(null);
          setPending(data.pending ?? []);
          setHistory(data.history);
          if (data.history.facets) setFacets(data.history.facets);
          // The address keeps the filter: a link to it opens the same view.
          window.history.replaceState(window.history.state, '', `${window.location.pathname}${query ? `?${query}` : ''}`);
        })
        .catch(() => setError('The history could not be loaded. Reload the page to try again.'))
        .finally(() => setLoading(false));
    },
    [resource.id, recordId],
  );

  useEffect(() => {
    void load(filter);
    // Loaded once per record; a new filter loads through apply().
  }, [load]);

  const apply = (values: FilterValues) => {
    setFilter(values);
    load(values);
  };

  if (error) return <MessageBox variant="danger" message={error} />;
  if (!history) {
    return problem ? (
      <Box p="lg">
        <HistoryFilterBar facets={facets} values={filter} problem={problem} onApply={apply} />
      </Box>
    ) : (
      <Loader />
    );
  }
  const filtered = Object.values(filter).some(Boolean);
  const auditLink = listUrl(
    'audit_logs',
    `filters.table_name=${encodeURIComponent(history.subject.table)}&filters.record_id=${encodeURIComponent(history.subject.id)}`,
  );
  const count = history.entries.length;
  return (
    <Box p="lg" style={{ maxWidth: 1100 }} data-testid="nexus-history">
      <H3>History of {history.subject.title}</H3>
      {pending.length > 0 && <PendingBanner pending={pending} testId="history-pending" />}
      <HistoryFilterBar facets={facets} values={filter} problem={problem} onApply={apply} />
      <Text color="grey60" mb="lg" role="status" data-testid="history-summary">
        {loading
          ? 'Loading…'
          : count === 0
            ? filtered
              ? 'No recorded change matches the filter.'
              : 'No recorded changes.'
            : `${count} change${count === 1 ? '' : 's'}${filtered ? ' matching the filter' : ''}, newest first. Times are shop time${history.timeZone ? ` (${history.timeZone})` : ''}.`}
      </Text>
      {history.entries.map((entry) => (
        <Entry key={entry.changeId} entry={entry} />
      ))}
      {history.olderEntriesExist && (
        <MessageBox
          variant="info"
          message={`Only the newest ${history.limit} changes are shown; older entries exist. Narrow the filter, or open the audit log for them all.`}
        >
          <Link href={auditLink}>Open the audit log for this record</Link>
        </MessageBox>
      )}
    </Box>
  );
};

export default History;
