import React, { useCallback, useEffect, useState } from 'react';
import type { ActionProps } from 'adminjs';
import { PendingBanner, type PendingRequest } from './pending-changes.js';
import { Box, H3, Link, Loader, MessageBox, Text } from '@adminjs/design-system';

// The shapes sent by src/audit/audit-history.service.ts (types only: nothing of the server is bundled).
import type { HistoryFacets as Facets, RecordHistory } from '../../audit/audit-history.service.js';
import { Entry } from './history/history-entry.js';
import { filterFromAddress, HistoryFilterBar, queryOf, type FilterValues } from './history/history-filter-bar.js';
import { listUrl, panelUrl } from './panel-urls.js';

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
