import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H2, H5, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

// The shapes sent by src/approvals/approval-inbox.service.ts.
interface PendingRequest {
  id: number;
  summary: string | null;
  requestedAt: string;
  requestedBy: { id: number; username: string; name: string | null };
}

interface ApprovalInbox {
  toDecide: PendingRequest[];
  mine: PendingRequest[];
}

const api = new ApiClient();
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const Requests: React.FC<{ requests: PendingRequest[]; empty: string; testId: string }> = ({ requests, empty, testId }) =>
  requests.length === 0 ? (
    <Text color="grey60" data-testid={testId}>{empty}</Text>
  ) : (
    <Table data-testid={testId} style={{ width: '100%' }}>
      <TableHead>
        <TableRow>
          <TableCell>Request</TableCell>
          <TableCell>Change</TableCell>
          <TableCell>Requested by</TableCell>
          <TableCell>Requested</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {requests.map((r) => (
          <TableRow key={r.id} data-testid="inbox-request">
            <TableCell><Link href={`/admin/resources/approvals/records/${r.id}/show`}>#{r.id}</Link></TableCell>
            <TableCell>{r.summary ?? ''}</TableCell>
            <TableCell>{r.requestedBy.name ?? r.requestedBy.username} ({r.requestedBy.username})</TableCell>
            <TableCell title={r.requestedAt}>{when(r.requestedAt)}</TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );

/** "My approvals": what waits for my decision, and what I asked for that still waits. */
const MyApprovals: React.FC = () => {
  const [inbox, setInbox] = useState<ApprovalInbox | null>(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    api
      .getPage({ pageName: 'myApprovals' })
      .then((response) => setInbox(response.data as ApprovalInbox))
      .catch(() => setError(true));
  }, []);
  if (error) return <MessageBox variant="danger" message="Your approvals could not be loaded. Reload the page to try again." />;
  if (!inbox) return <Loader />;
  return (
    <Box p="xl" data-testid="my-approvals">
      <H2>My approvals</H2>
      <Box variant="card" p="lg" mb="lg">
        <H5>Waiting for your decision ({inbox.toDecide.length})</H5>
        <Requests requests={inbox.toDecide} empty="Nothing waits for your decision." testId="inbox-to-decide" />
      </Box>
      <Box variant="card" p="lg">
        <H5>Your requests still waiting ({inbox.mine.length})</H5>
        <Requests requests={inbox.mine} empty="You have no pending requests." testId="inbox-mine" />
      </Box>
    </Box>
  );
};

export default MyApprovals;
