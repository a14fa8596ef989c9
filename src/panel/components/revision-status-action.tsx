import React, { useState } from 'react';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, Loader, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { useActionPlan } from './use-action-plan.js';
import { useActionPost } from './use-action-post.js';

// The shape sent by src/records/revision-release.service.ts (types only: nothing of the server is bundled).
import type { RevisionActionPlan as Plan } from '../../records/revision-release.service.js';
import { recordUrl } from './panel-urls.js';

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string; label?: string };
}

/** Today in the person's own calendar, as the date field wants it (a suggestion they can change). */
function today(): string {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/**
 * Release or Make obsolete: what the move does to this revision and its part, what it needs
 * (an effective date, an approver), and one button that confirms it.
 */
const RevisionStatusAction: React.FC<Props> = ({ record, resource, action }) => {
  const [effectiveDate, setEffectiveDate] = useState('');
  const [reason, setReason] = useState('');
  const release = action.name === 'release';
  const { post, errors, error, busy } = useActionPost(
    { resourceId: resource.id, recordId: record.id, actionName: action.name },
    'The revision could not be changed.',
  );

  const { plan, loadError } = useActionPlan<Plan>({ resourceId: resource.id, recordId: record.id, actionName: action.name }, (p) =>
    setEffectiveDate(p.effectiveDate ?? today()),
  );

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await post({ effective_date: release ? effectiveDate : '', reason, version: String(record.params.version ?? '') }, recordUrl('revisions', record.id));
  };

  if (loadError) return <MessageBox variant="danger" message={`This form could not be loaded (${loadError}). Reload the page to try again.`} />;
  if (!plan) return <Loader />;
  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="revision-status-action">
      <H3>
        {release ? 'Release' : 'Make obsolete'}: revision {plan.title}
      </H3>
      {plan.refusal ? <MessageBox variant="danger" mb="lg" message={plan.refusal} data-testid="revision-action-refusal" role="alert" /> : null}
      {release ? (
        <Text mb="lg">
          Travelers are made from the released revision of a part. This revision has {plan.steps} routing step{plan.steps === 1 ? '' : 's'} with {plan.checks}{' '}
          check
          {plan.checks === 1 ? '' : 's'}.{' '}
          {plan.released ? (
            <>
              When the release takes effect, <strong>{plan.released}</strong> becomes obsolete.
            </>
          ) : (
            'No other revision of this part is released now.'
          )}
        </Text>
      ) : (
        <Text mb="lg">
          No new work order or traveler is made from an obsolete revision; travelers already made from it keep their steps.
          {plan.openWorkOrders ? ` ${plan.openWorkOrders} open work order${plan.openWorkOrders === 1 ? ' names' : 's name'} this revision.` : ''}
        </Text>
      )}
      {plan.approval ? <MessageBox variant="info" mb="lg" message={plan.approval} data-testid="revision-action-approval" /> : null}
      {plan.refusal ? null : (
        <>
          {release ? (
            <FormGroup error={!!errors.effective_date}>
              <Label htmlFor="effective_date" required>
                Effective date
              </Label>
              <Input
                id="effective_date"
                name="effective_date"
                type="date"
                value={effectiveDate}
                aria-invalid={!!errors.effective_date}
                aria-describedby={errors.effective_date ? 'effective_date-error' : undefined}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => setEffectiveDate(e.target.value)}
              />
              <FormMessage id="effective_date-error">{errors.effective_date?.message}</FormMessage>
            </FormGroup>
          ) : null}
          <FormGroup error={!!errors.reason}>
            <Label htmlFor="reason">{plan.approval ? 'Note for the approver (optional)' : 'Reason (optional)'}</Label>
            <TextArea
              id="reason"
              name="reason"
              width="100%"
              value={reason}
              onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
            />
            <FormMessage>{errors.reason?.message}</FormMessage>
          </FormGroup>
          {error ? <MessageBox variant="danger" message={error} mb="lg" role="alert" data-testid="revision-action-error" /> : null}
          <Button type="submit" variant={release ? 'contained' : 'danger'} disabled={busy}>
            {release ? (plan.approval ? 'Ask for release' : 'Release') : 'Make obsolete'}
          </Button>
        </>
      )}
    </Box>
  );
};

export default RevisionStatusAction;
