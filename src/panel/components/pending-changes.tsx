import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, Link, Text } from '@adminjs/design-system';
import { recordUrl } from './panel-urls.js';

export interface PendingRequest {
  id: number;
  summary: string | null;
  requestedAt: string;
  /** Written on the server in the shop's zone, as History writes times. */
  requestedAtText: string;
  requestedBy: { id: number; username: string; name: string | null };
}

interface Props {
  record: { id: string };
  resource: { id: string };
}

const api = new ApiClient();

/** Changes held back for approval: not history yet, but the first thing a reader must know. */
export const PendingBanner: React.FC<{ pending: PendingRequest[]; testId: string }> = ({ pending, testId }) => (
  <Box variant="card" p="lg" mb="xl" data-testid={testId} style={{ borderLeft: '4px solid #b45309', background: '#fffbeb' }}>
    <Text fontWeight="bold" mb="sm">
      {pending.length} change{pending.length === 1 ? '' : 's'} waiting for approval:
    </Text>
    {pending.map((p) => (
      <Text key={p.id} mb="xs">
        <Link href={recordUrl('approvals', p.id)}>#{p.id}</Link> {p.summary ?? ''}
        <Text as="span" color="grey60">
          {' '}
          · asked by {p.requestedBy.name ?? p.requestedBy.username}, {p.requestedAtText}
        </Text>
      </Text>
    ))}
  </Box>
);

/**
 * On a record's page: the changes to it that wait for approval. Nothing is shown when there
 * are none, so the page looks as usual for the common case.
 */
const PendingChanges: React.FC<Props> = ({ record, resource }) => {
  const [pending, setPending] = useState<PendingRequest[]>([]);
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'pendingChanges' })
      .then((response) => setPending((response.data as unknown as { pending?: PendingRequest[] }).pending ?? []))
      .catch(() => setPending([]));
  }, [resource.id, record.id]);
  return pending.length === 0 ? null : <PendingBanner pending={pending} testId="record-pending" />;
};

export default PendingChanges;
