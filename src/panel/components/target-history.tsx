import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H5, Link, Loader, Text } from '@adminjs/design-system';
// The shape sent by src/audit/audit-history.service.ts (types only: nothing of the server is bundled).
import type { RecordHistory } from '../../audit/audit-history.service.js';
import { Entry } from './history/history-entry.js';
import { recordUrl } from './panel-urls.js';

const api = new ApiClient();

/**
 * The latest changes of the record a request would change, so a decider sees what happened to
 * it lately next to what is asked (served by the approvals' hidden `targetHistory` action).
 */
export const TargetHistory: React.FC<{ approvalId: string }> = ({ approvalId }) => {
  const [history, setHistory] = useState<RecordHistory | null | undefined>(undefined);
  const [error, setError] = useState(false);

  useEffect(() => {
    api
      .recordAction({ resourceId: 'approvals', recordId: approvalId, actionName: 'targetHistory' })
      .then((response) => setHistory((response.data as unknown as { targetHistory: RecordHistory | null }).targetHistory))
      .catch(() => setError(true));
  }, [approvalId]);

  if (error) return <Text color="grey60">The record’s recent history could not be loaded.</Text>;
  if (history === undefined) return <Loader />;
  if (history === null) return null;
  const historyUrl = recordUrl(history.subject.table, history.subject.id, 'history');
  return (
    <Box data-testid="approval-target-history">
      <H5>Recent changes of {history.subject.title}</H5>
      {history.entries.length === 0 ? (
        <Text color="grey60" mb="lg">
          No recorded changes.
        </Text>
      ) : (
        history.entries.map((entry) => <Entry key={entry.changeId} entry={entry} />)
      )}
      <Text fontSize="sm">
        {history.olderEntriesExist ? `Only the latest ${history.limit} changes are shown. ` : ''}
        <Link href={historyUrl}>Open the full history</Link>
      </Text>
    </Box>
  );
};
