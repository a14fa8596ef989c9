import React from 'react';
import { Box, Link, Text } from '@adminjs/design-system';
import { pageUrl, recordUrl } from '../panel-urls.js';
import { COLOR, when, type Summary } from './dashboard-format.js';

/** How many requests wait for the person's decision, the latest of them, and the way to My approvals. */
export const PendingApprovals: React.FC<{ count: number; list: Summary['pendingApprovalList'] }> = ({ count, list }) => (
  <>
    {/* One link only in the tile: the count is the way into the inbox. */}
    <Box data-testid="tile-pending-approvals" flex alignItems="baseline" mb="lg" style={{ gap: 10 }}>
      <Link href={pageUrl('myApprovals')} style={{ fontSize: 36, fontWeight: 500, textDecoration: 'none', color: count ? COLOR.primary : 'inherit' }}>
        {count}
      </Link>
      <Text color="grey60">{count === 1 ? 'request waits' : 'requests wait'} for your decision</Text>
    </Box>
    {list.length === 0 ? (
      <Text color="grey60" mb="lg">
        Nothing waits for your decision.
      </Text>
    ) : (
      <Box as="ul" mb="lg" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="pending-approval-list">
        {list.map((r) => (
          <Box as="li" key={r.id} py="sm" style={{ borderTop: `1px solid ${COLOR.grid}` }}>
            <Link href={recordUrl('approvals', r.id)}>
              #{r.id} {r.summary ?? 'Change request'}
            </Link>
            <Text fontSize="sm" color="grey60">
              {r.requester_name} · <span title={r.requested_at}>{when(r.requested_at)}</span>
            </Text>
          </Box>
        ))}
      </Box>
    )}
    <Link href={pageUrl('myApprovals')} data-testid="open-my-approvals">
      Open My approvals →
    </Link>
  </>
);
