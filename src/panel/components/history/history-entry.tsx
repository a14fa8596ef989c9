import React from 'react';
import { Badge, Box, Link, Text } from '@adminjs/design-system';
import type { HistoryEntry } from '../../../audit/audit-history.service.js';
import { recordUrl } from '../panel-urls.js';
import { Changes } from './field-changes.js';

const ACTION = {
  create: { label: 'Created', variant: 'success', color: '#0b6b2f' },
  update: { label: 'Changed', variant: 'info', color: '#3040d6' },
  delete: { label: 'Deleted', variant: 'danger', color: '#b3001b' },
} as const;

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

/** One change: what it did to which record, who made it, from where, under which approval, and its fields. */
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
