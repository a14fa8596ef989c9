import React from 'react';
import { Box, H3, Text } from '@adminjs/design-system';
import { ApprovalRequestView, describeRequest, type ApprovalRecordJSON } from './approval-request.js';
import { useApprovalView } from './approval-changes.js';
import { DecisionForm, type Decision } from './decision-form.js';

interface Props {
  record: ApprovalRecordJSON;
  resource: { id: string };
  action: { name: string; label?: string };
}

const TITLES: Record<Decision, string> = { approve: 'Approve', reject: 'Reject', withdraw: 'Withdraw' };

/**
 * The Approve, Reject and Withdraw pages of a request (its header's buttons): the request as on
 * its page, then the signed decision, confirmed before it is sent.
 */
const ApprovalDecision: React.FC<Props> = ({ record, action }) => {
  const loaded = useApprovalView(record.id);
  const decision = (['approve', 'reject', 'withdraw'] as const).find((d) => d === action.name) as Decision | undefined;
  return (
    <Box variant="card" p="xl" data-testid="approval-decision">
      {decision ? (
        <Box mb="xl" pb="xl" data-testid="approval-decision-form" style={{ borderBottom: '1px solid #EEEEEF' }}>
          <H3>
            {TITLES[decision]} request #{record.id}
          </H3>
          <Text mb="lg">{describeRequest(record, loaded.view)} What it changes is shown below.</Text>
          <DecisionForm approvalId={record.id} decision={decision} what={describeRequest(record, loaded.view)} />
        </Box>
      ) : null}
      <ApprovalRequestView record={record} loaded={loaded} />
    </Box>
  );
};

export default ApprovalDecision;
