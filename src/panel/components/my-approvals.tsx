import React, { useEffect, useRef, useState } from 'react';
import { ApiClient } from 'adminjs';
import { useLocation, useNavigate } from 'react-router';
import { Box, H2, H5, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { ApprovalRequestView, type ApprovalRecordJSON } from './approval-request.js';
import { pageUrl, recordUrl } from './panel-urls.js';

// The shapes sent by src/approvals/approval-inbox.service.ts.
interface PendingRequest {
  id: number;
  summary: string | null;
  what: string | null;
  requestedAt: string;
  requestedAtText: string;
  requestedBy: { id: number; username: string; name: string | null };
}

interface ApprovalInbox {
  toDecide: PendingRequest[];
  mine: PendingRequest[];
}

const api = new ApiClient();
const INBOX = pageUrl('myApprovals');

const Requests: React.FC<{ requests: PendingRequest[]; empty: string; testId: string; opened: string | null; open: (id: number) => void }> = ({
  requests,
  empty,
  testId,
  opened,
  open,
}) =>
  requests.length === 0 ? (
    <Text color="grey80" data-testid={testId}>
      {empty}
    </Text>
  ) : (
    <Table data-testid={testId} style={{ width: '100%' }}>
      <TableHead>
        <TableRow>
          <TableCell as="th" scope="col">
            Request
          </TableCell>
          <TableCell as="th" scope="col">
            Change
          </TableCell>
          <TableCell as="th" scope="col">
            Requested by
          </TableCell>
          <TableCell as="th" scope="col">
            Requested
          </TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {requests.map((r) => {
          const current = opened === String(r.id);
          return (
            <TableRow
              key={r.id}
              data-testid="inbox-request"
              aria-current={current ? 'true' : undefined}
              style={current ? { background: '#EEF1FE' } : undefined}
            >
              <TableCell>
                {/* A real address (a new tab works); a plain click opens the request here, below the list. */}
                <Link
                  href={`${INBOX}?request=${r.id}`}
                  onClick={(event: React.MouseEvent) => {
                    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
                    event.preventDefault();
                    open(r.id);
                  }}
                >
                  #{r.id}
                </Link>
              </TableCell>
              <TableCell>
                {r.what ? <Text fontWeight="bold">{r.what}</Text> : null}
                <Text fontSize="sm" color="grey80">
                  {r.summary ?? ''}
                </Text>
              </TableCell>
              <TableCell>
                {r.requestedBy.name ?? r.requestedBy.username} ({r.requestedBy.username})
              </TableCell>
              <TableCell title={r.requestedAt}>{r.requestedAtText}</TableCell>
            </TableRow>
          );
        })}
      </TableBody>
    </Table>
  );

/** One request, opened under the list, with the decisions this person may make on it. */
const OpenedRequest: React.FC<{ id: string }> = ({ id }) => {
  const [record, setRecord] = useState<ApprovalRecordJSON | null | undefined>(undefined);
  const heading = useRef<HTMLDivElement>(null);
  useEffect(() => {
    let current = true;
    setRecord(undefined);
    api
      .recordAction({ resourceId: 'approvals', recordId: id, actionName: 'show' })
      .then((response) => {
        if (current) setRecord(((response.data as unknown as { record?: ApprovalRecordJSON }).record as ApprovalRecordJSON | undefined) ?? null);
      })
      .catch(() => {
        if (current) setRecord(null);
      });
    return () => {
      current = false;
    };
  }, [id]);
  // The opened request is where the work is: bring it into view and give it the focus.
  useEffect(() => {
    if (record) {
      heading.current?.scrollIntoView({ block: 'start' });
      heading.current?.focus({ preventScroll: true });
    }
  }, [record]);
  if (record === undefined) return <Loader />;
  if (record === null || !record.params)
    return <MessageBox variant="danger" message={`Request #${id} could not be opened: it does not exist or you may not read it.`} />;
  return (
    <Box variant="card" p="xl" mt="lg" data-testid="opened-request" ref={heading} tabIndex={-1} aria-label={`Request #${id}`} style={{ outline: 'none' }}>
      <ApprovalRequestView record={record} inlineDecision />
      <Text mt="lg" fontSize="sm">
        <Link href={recordUrl('approvals', id)}>Open the request’s own page</Link>
      </Text>
    </Box>
  );
};

/**
 * "My approvals": what waits for my decision, and what I asked for that still waits. A request
 * opens here, under the list (`?request=12`); once decided, the next one waiting opens in its
 * place (approval-decision.actions.ts sends the decider back here with it).
 */
const MyApprovals: React.FC = () => {
  const location = useLocation();
  const navigate = useNavigate();
  const [inbox, setInbox] = useState<ApprovalInbox | null>(null);
  const [error, setError] = useState(false);
  const opened = new URLSearchParams(location.search).get('request');

  // Read again on every visit, after a decision too: what waits has changed.
  useEffect(() => {
    let current = true;
    api
      .getPage({ pageName: 'myApprovals' })
      .then((response) => {
        if (current) setInbox(response.data as ApprovalInbox);
      })
      .catch(() => {
        if (current) setError(true);
      });
    return () => {
      current = false;
    };
  }, [location.key]);

  if (error) return <MessageBox variant="danger" message="Your approvals could not be loaded. Reload the page to try again." />;
  if (!inbox) return <Loader />;
  const open = (id: number) => navigate(`${INBOX}?request=${id}`);
  return (
    <Box p="xl" data-testid="my-approvals">
      <H2>My approvals</H2>
      <Box variant="card" p="lg" mb="lg">
        <H5>Waiting for your decision ({inbox.toDecide.length})</H5>
        <Requests requests={inbox.toDecide} empty="Nothing waits for your decision." testId="inbox-to-decide" opened={opened} open={open} />
      </Box>
      <Box variant="card" p="lg">
        <H5>Your requests still waiting ({inbox.mine.length})</H5>
        <Requests requests={inbox.mine} empty="You have no pending requests." testId="inbox-mine" opened={opened} open={open} />
      </Box>
      {opened && /^\d{1,18}$/.test(opened) ? <OpenedRequest key={opened} id={opened} /> : null}
    </Box>
  );
};

export default MyApprovals;
