import React, { useState } from 'react';
import { Badge, Box, Button, H3, H5, Link, Loader, MessageBox, Text } from '@adminjs/design-system';
import { formatDateTime } from '../../shared/value-format.js';
import { ChangesTable, useApprovalView, type ApprovalView, type RequestRecord } from './approval-changes.js';
import { SubjectContent } from './approval-subject.js';
import { TargetHistory } from './target-history.js';
import { DecisionForm, type Decision } from './decision-form.js';

export interface ApprovalRecordJSON {
  id: string;
  params: Record<string, unknown>;
  populated?: Record<string, { title?: string } | null | undefined>;
  recordActions?: Array<{ name: string }>;
}

const STATUS: Record<string, { label: string; variant: 'primary' | 'success' | 'danger' | 'info' | 'default' }> = {
  pending: { label: 'Waiting for a decision', variant: 'primary' },
  approved: { label: 'Approved', variant: 'success' },
  rejected: { label: 'Rejected', variant: 'danger' },
  withdrawn: { label: 'Withdrawn', variant: 'default' },
  stale: { label: 'Stale: the record changed', variant: 'default' },
};

const zone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
const when = (value: unknown) => (typeof value === 'string' && value ? formatDateTime(value, zone()) : '');
const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
const person = (record: ApprovalRecordJSON, field: string) =>
  record.populated?.[field]?.title ?? (record.params[field] ? `user #${text(record.params[field])}` : '');

const RecordName: React.FC<{ item: RequestRecord; testId: string }> = ({ item, testId }) => (
  <>
    {item.kind}{' '}
    {item.href ? (
      <Link href={item.href} data-testid={testId}>
        {item.title}
      </Link>
    ) : (
      <strong data-testid={testId}>{item.title}</strong>
    )}
  </>
);

/** "Changes Traveler T-26003 (…)"; "Changes Routing step … on Revision …"; "Adds a routing check to Revision …". */
const About: React.FC<{ view: ApprovalView }> = ({ view }) => (
  <Text mb="md" data-testid="approval-about">
    {view.operation === 'create' ? `Adds a ${view.kind.toLowerCase()} to ` : view.operation === 'delete' ? 'Deletes ' : 'Changes '}
    {view.record ? <RecordName item={view.record} testId="approval-record-link" /> : null}
    {view.record && view.parent ? (view.operation === 'delete' ? ' from ' : ' on ') : null}
    {view.parent ? <RecordName item={view.parent} testId="approval-parent-link" /> : null}
    {view.created ? (
      <>
        {'. Created: '}
        <RecordName item={view.created} testId="approval-created-link" />
      </>
    ) : null}
  </Text>
);

/** What the decider signs, in words, for the confirmation. */
export function describeRequest(record: ApprovalRecordJSON, view: ApprovalView | null | undefined): string {
  const named = view?.record ?? view?.parent;
  return `Request #${record.id}: ${view?.what ?? text(record.params.summary)}${named ? ` — ${named.kind} ${named.title}` : ''}.`;
}

const Decided: React.FC<{ record: ApprovalRecordJSON }> = ({ record }) => {
  const p = record.params;
  if (p.status === 'pending') return null;
  return (
    <Box variant="card" p="lg" mb="lg" data-testid="approval-decided" style={{ borderLeft: '4px solid #3040D6' }}>
      <Text>
        {STATUS[text(p.status)]?.label ?? text(p.status)}
        {p.decided_by_id ? ` by ${person(record, 'decided_by_id')}` : ''}
        {p.decided_at ? `, ${when(p.decided_at)}` : ''}.
      </Text>
      {p.signature_name ? (
        <Text fontSize="sm" mt="sm" data-testid="approval-signature">
          Signed by {text(p.signature_name)} ({text(p.signature_meaning)}), {when(p.signed_at)}.
        </Text>
      ) : null}
      {p.decision_comment ? <Text mt="sm">Comment: {text(p.decision_comment)}</Text> : null}
    </Box>
  );
};

const DECISION_LABELS: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', withdraw: 'Withdraw' };

/** The decisions this person may make on this request, in place (My approvals). */
const InlineDecision: React.FC<{ record: ApprovalRecordJSON; view: ApprovalView | null | undefined }> = ({ record, view }) => {
  const [decision, setDecision] = useState<Decision | null>(null);
  const available = (['approve', 'reject', 'withdraw'] as const).filter((name) => record.recordActions?.some((a) => a.name === name));
  if (record.params.status !== 'pending' || available.length === 0) return null;
  return (
    <Box variant="card" p="lg" mb="lg" data-testid="inline-decision">
      <H5>Your decision</H5>
      <Box flex style={{ gap: 12 }} mb={decision ? 'lg' : undefined}>
        {available.map((name) => (
          <Button
            key={name}
            type="button"
            variant={decision === name ? 'contained' : 'outlined'}
            color={name === 'reject' ? 'danger' : name === 'approve' ? 'success' : undefined}
            aria-pressed={decision === name}
            onClick={() => setDecision(name)}
            data-testid={`decide-${name}`}
          >
            {DECISION_LABELS[name]}
          </Button>
        ))}
      </Box>
      {decision ? (
        <DecisionForm key={decision} approvalId={record.id} decision={decision} what={describeRequest(record, view)} onCancel={() => setDecision(null)} />
      ) : null}
    </Box>
  );
};

/**
 * One approval request as a decider reads it: what it is (the rule, in words), the record it is
 * about named in full and linked, who asked and why, the change field by field, and what is
 * approved in full (the traveler's steps and checks, or the routing before and after), beside the
 * record's recent history. Internal fields (record type and id, policy rule, the version it is
 * based on) stay in the record's data and are not shown.
 */
export const ApprovalRequestView: React.FC<{
  record: ApprovalRecordJSON;
  inlineDecision?: boolean;
  /** The view when the caller loaded it already (the decision page needs it for its confirmation too). */
  loaded?: ReturnType<typeof useApprovalView>;
}> = ({ record, inlineDecision, loaded }) => {
  const own = useApprovalView(loaded ? null : record.id);
  const { view, failed } = loaded ?? own;
  const p = record.params;
  const status = STATUS[text(p.status)] ?? { label: text(p.status), variant: 'default' as const };
  return (
    <Box data-testid="approval-request" data-request-id={record.id}>
      <Box flex alignItems="center" flexWrap="wrap" style={{ gap: 12 }} mb="md">
        <H3 mb="0">
          Request #{record.id}
          {view ? `: ${view.what}` : ''}
        </H3>
        <Badge variant={status.variant} data-testid="approval-status">
          {status.label}
        </Badge>
      </Box>
      {failed ? <MessageBox variant="danger" mb="lg" message="What this request is about could not be loaded. Reload the page to try again." /> : null}
      {view === undefined && !failed ? <Loader /> : null}
      {view ? <About view={view} /> : null}
      <Text mb="md" data-testid="approval-requested-by">
        Asked by {person(record, 'requested_by_id')}
        {p.requested_at ? `, ${when(p.requested_at)}` : ''}.
      </Text>
      {p.reason ? (
        <Box as="blockquote" mb="lg" style={{ margin: '0 0 16px', paddingLeft: 12, borderLeft: '3px solid #BBC3CB' }}>
          <Text>Reason given: {text(p.reason)}</Text>
        </Box>
      ) : null}
      <Decided record={record} />
      {inlineDecision ? <InlineDecision record={record} view={view} /> : null}
      <Box flex flexWrap="wrap" style={{ gap: 24 }}>
        <Box style={{ flex: '1 1 420px', minWidth: 0 }}>
          <H5>Requested change</H5>
          {view ? <ChangesTable changes={view.changes} operation={view.operation} /> : null}
        </Box>
        <Box style={{ flex: '1 1 360px', maxHeight: 480, overflowY: 'auto', minWidth: 0 }}>
          <TargetHistory approvalId={record.id} />
        </Box>
      </Box>
      {view?.subject ? <SubjectContent subject={view.subject} /> : null}
    </Box>
  );
};

interface Props {
  record: ApprovalRecordJSON;
}

/** The request's own page (the approvals' show action); Approve, Reject and Withdraw are in its header. */
const ApprovalRequest: React.FC<Props> = ({ record }) => (
  <Box variant="card" p="xl">
    <ApprovalRequestView record={record} />
  </Box>
);

export default ApprovalRequest;
