import React from 'react';
import { Box, Link, MessageBox } from '@adminjs/design-system';
import { recordUrl } from '../panel-urls.js';
import type { Outcome } from './routing-api.js';

/** What happened to a change, where it was made: saved, sent for approval (with the request), or refused. */
export const OutcomeMessage: React.FC<{ outcome?: Outcome; testId: string }> = ({ outcome, testId }) => {
  if (!outcome) return null;
  const variant = outcome.type === 'error' ? 'danger' : outcome.type === 'info' ? 'info' : 'success';
  return (
    <Box mt="sm" mb="sm" data-testid={testId} role={outcome.type === 'error' ? 'alert' : 'status'}>
      <MessageBox variant={variant} size="sm" message={outcome.message}>
        {outcome.approvalId ? <Link href={recordUrl('approvals', outcome.approvalId)}>Open request #{outcome.approvalId}</Link> : null}
      </MessageBox>
    </Box>
  );
};
