import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, Link, Text } from '@adminjs/design-system';

interface PendingRequest {
  id: number;
  summary: string | null;
  requestedAt: string;
  requestedBy: { id: number; username: string; name: string | null };
}

interface Props {
  record: { id: string };
  resource: { id: string };
}

const api = new ApiClient();

/**
 * On a record's page: the changes to it that wait for approval. Nothing is shown when there
 * are none, so the page looks as usual for the common case.
 */
const PendingChanges: React.FC<Props> = ({ record, resource }) => {
  const [pending, setPending] = useState<PendingRequest[]>([]);
  useEffect(() => {
    api
      .recordAction({ resourceId: resource.id, recordId: record.id, actionName: 'pendingChanges' })
      .then((response) => setPending(((response.data as unknown as { pending?: PendingRequest[] }).pending) ?? []))
      .catch(() => setPending([]));
  }, [resource.id, record.id]);
  if (pending.length === 0) return null;
  return (
    <Box variant="card" p="lg" mb="xl" data-testid="record-pending" style={{ borderLeft: '4px solid #b45309', background: '#fffbeb' }}>
      <Text fontWeight="bold" mb="sm">
        {pending.length} change{pending.length === 1 ? '' : 's'} waiting for approval:
      </Text>
      {pending.map((p) => (
        <Text key={p.id} mb="xs">
          <Link href={`/admin/resources/approvals/records/${p.id}/show`}>#{p.id}</Link> {p.summary ?? ''}
          <Text as="span" color="grey60"> · asked by {p.requestedBy.name ?? p.requestedBy.username}</Text>
        </Text>
      ))}
    </Box>
  );
};

export default PendingChanges;
