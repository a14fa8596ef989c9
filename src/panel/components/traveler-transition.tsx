import React, { useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'adminjs';
import { useActionPost } from './use-action-post.js';
import { Box, Button, H3, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { recordUrl } from './panel-urls.js';

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string; label?: string };
}

const EXPLAIN: Record<string, string> = {
  release:
    'Releasing sends the traveler to the floor. It needs an approver: your request goes to them, and the traveler is released when one of them signs it.',
  start: 'Marks the traveler as in progress (starting its first step does this too).',
  hold: 'Stops work: nobody can start or sign steps until it is resumed. Anyone clocked in on it is clocked out.',
  resume: 'Lets work go on where it stopped.',
  complete: 'Closes the traveler. Every step must be signed off; its record is then locked.',
  cancel: 'Cancels the traveler for good. Anyone clocked in on it is clocked out; the record stays, locked.',
};

/** One lifecycle move of a traveler: what it does, the reason where one is needed, and the outcome. */
const TravelerTransition: React.FC<Props> = ({ record, resource, action }) => {
  const [reason, setReason] = useState('');
  const navigate = useNavigate();
  const { translateAction } = useTranslation();
  // "Hold", not the action's name "hold".
  const label = translateAction(action.label ?? action.name, resource.id);
  const travelerUrl = recordUrl('travelers', record.id);
  const { post, error, busy } = useActionPost({ resourceId: resource.id, recordId: record.id, actionName: action.name }, 'The traveler could not be changed.');
  const needsReason = action.name === 'hold' || action.name === 'cancel';
  const optionalReason = action.name === 'release';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await post({ reason }, travelerUrl);
  };

  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="traveler-transition">
      <H3>
        {label}: traveler {String(record.params.number ?? '')}
      </H3>
      <Text mb="lg">{EXPLAIN[action.name] ?? ''}</Text>
      {needsReason || optionalReason ? (
        <>
          <Label htmlFor="reason" required={needsReason}>
            {needsReason ? 'Reason (shown on the traveler)' : 'Note for the approver (optional)'}
          </Label>
          <TextArea
            id="reason"
            name="reason"
            width="100%"
            value={reason}
            mb="lg"
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
          />
        </>
      ) : null}
      {error ? <MessageBox variant="danger" message={error} mb="lg" data-testid="transition-error" role="alert" /> : null}
      <Button type="submit" variant={action.name === 'cancel' ? 'danger' : 'contained'} disabled={busy}>
        {action.name === 'release' ? 'Ask for release' : label}
      </Button>
      {/* The drawer has no header of its own: without this, only the browser's Back left it. */}
      <Button type="button" variant="text" ml="lg" onClick={() => navigate(travelerUrl)}>
        Back to the traveler
      </Button>
    </Box>
  );
};

export default TravelerTransition;
