import React, { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { Box, Button, H3, Input, Label, MessageBox, Text } from '@adminjs/design-system';
import { formatLimits, type LimitValue } from '../../shared/limits-format.js';
import DispositionQueue from './disposition-queue.js';
import { recordUrl } from './panel-urls.js';

interface RecordJSON {
  id: string;
  title?: string;
  params: Record<string, unknown>;
  populated?: Record<string, { title?: string; id?: string } | null | undefined>;
}

interface Props {
  record: RecordJSON;
  resource: { id: string };
  action: { name: string; label?: string };
}

interface Failure {
  message: string;
  fields: Record<string, string>;
}

const api = new ApiClient();

const BUTTONS: Record<string, { label: string; variant: string; explain: string }> = {
  start: {
    label: 'Start step',
    variant: 'contained',
    explain: 'Starting records the time; the steps before this one must be signed off (unless it is parallel).',
  },
  signOff: {
    label: 'Sign off',
    variant: 'success',
    explain: 'Signing off records your name and the time. Every check must be done, and everyone else clocked in here must clock out first.',
  },
  clockIn: {
    label: 'Clock in',
    variant: 'contained',
    explain: 'Your time on this step runs until you clock out (or sign it off). You can be clocked in on one step at a time.',
  },
  clockOut: { label: 'Clock out', variant: 'outlined', explain: 'Ends your time on this step.' },
};

/**
 * AdminJS routes with React Router: moving through the history API keeps the notice just shown,
 * which a full page load would drop.
 */
export function goTo(url: string): void {
  window.history.pushState({}, '', url);
  window.dispatchEvent(new PopStateEvent('popstate'));
}

/** The server's reason for a refusal, as it wrote it (field messages too). */
export function failureOf(error: unknown, fallback: string): Failure {
  const data = (error as { response?: { data?: { notice?: { message?: string }; record?: { errors?: Record<string, { message?: string }> } } } }).response
    ?.data;
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(data?.record?.errors ?? {})) if (value?.message) fields[field] = value.message;
  return { message: data?.notice?.message ?? fallback, fields };
}

/**
 * The page of a step action (Start, Sign off, Clock in, Clock out) or a check action (Record
 * check, Disposition): what is about to happen, one button, and the server's answer. The work is
 * always a POST; a GET only shows this page.
 */
const StepAction: React.FC<Props> = ({ record, resource, action }) => {
  const params = record.params;
  const [measured, setMeasured] = useState(params.measured_value === null || params.measured_value === undefined ? '' : String(params.measured_value));
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();

  const post = async (data: Record<string, unknown>) => {
    setBusy(true);
    setFailure(null);
    try {
      const response = await api.recordAction({ resourceId: resource.id, recordId: record.id, actionName: action.name, method: 'post', data });
      const body = response.data as { notice?: { message: string }; redirectUrl?: string };
      if (body.notice) addNotice({ message: body.notice.message, type: 'success' });
      goTo(body.redirectUrl ?? recordUrl(resource.id, record.id));
    } catch (error) {
      setFailure(failureOf(error, 'The server did not accept this. Reload the page and try again.'));
    } finally {
      setBusy(false);
    }
  };

  const traveler = record.populated?.traveler_id?.title;
  const step = record.populated?.traveler_step_id?.title;
  const heading = `${record.title ?? `#${record.id}`}${traveler ? ` · traveler ${traveler}` : ''}`;
  // A check's own title is its description, already in the heading: name its step instead.
  const checkContext = step ? `Step: ${step}` : '';
  // Under the button that was pressed, announced as it appears.
  const error = failure ? <MessageBox variant="danger" message={failure.message} mt="lg" role="alert" data-testid="step-action-error" /> : null;

  if (action.name === 'recordCheck') {
    const needsValue = params.requires_measurement === true || params.requires_measurement === 'true';
    const limits = formatLimits(params.lower_limit as LimitValue, params.upper_limit as LimitValue, params.unit ? String(params.unit) : null);
    const done = Boolean(params.completed_at);
    return (
      <Box
        as="form"
        variant="card"
        p="xl"
        data-testid="step-action"
        onSubmit={(e: React.FormEvent) => {
          e.preventDefault();
          void post(needsValue ? { measured_value: measured } : {});
        }}
      >
        <H3>
          Check {String(params.sequence ?? '')}: {String(params.description ?? '')}
        </H3>
        <Text mb="lg" color="grey60">
          {checkContext}
        </Text>
        {needsValue ? (
          <>
            <Label htmlFor="measured_value" required>
              Measured value{params.unit ? ` (${String(params.unit)})` : ''}
            </Label>
            {/* Enter records (the form's submit); a comma or a point before the decimals. */}
            <Input
              id="measured_value"
              name="measured_value"
              inputMode="decimal"
              enterKeyHint="done"
              autoComplete="off"
              width="100%"
              value={measured}
              aria-invalid={failure?.fields.measured_value ? true : undefined}
              aria-describedby="measured_value-help"
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setMeasured(e.target.value)}
              mb="sm"
            />
            {failure?.fields.measured_value ? (
              <Text color="error" mb="sm" role="alert" data-testid="measured-value-error">
                {failure.fields.measured_value}
              </Text>
            ) : null}
            <Text mb="lg" id="measured_value-help">
              {limits ? `Limits: ${limits}. ` : ''}12.5 or 12,5.
            </Text>
          </>
        ) : (
          <Text mb="lg">Tick this check when it is done.</Text>
        )}
        <Box flex style={{ gap: 12, flexWrap: 'wrap' }}>
          <Button type="submit" variant="contained" size="lg" disabled={busy}>
            {needsValue ? 'Record measurement' : 'Tick as done'}
          </Button>
          {done ? (
            <Button type="button" variant="outlined" size="lg" disabled={busy} onClick={() => void post({ done: 'false' })}>
              Untick
            </Button>
          ) : null}
        </Box>
        {failure?.fields.measured_value ? null : error}
      </Box>
    );
  }

  if (action.name === 'disposition') {
    // The check named fully (traveler, part, step, limits, value) with its form: the queue's own view of one check.
    return (
      <Box variant="card" p={['default', 'xl']} data-testid="step-action">
        <DispositionQueue
          subStepId={record.id}
          onDecided={(message, redirectUrl) => {
            addNotice({ message, type: 'success' });
            goTo(redirectUrl ?? recordUrl(resource.id, record.id));
          }}
        />
      </Box>
    );
  }

  const button = BUTTONS[action.name] ?? { label: action.label ?? action.name, variant: 'contained', explain: '' };
  // The server said, with the record, why it would refuse this move now (step-work.actions.ts).
  const refusal = typeof params.move_refusal === 'string' ? params.move_refusal : null;
  return (
    <Box variant="card" p={['default', 'xl']} data-testid="step-action">
      <H3>
        {button.label}: {heading}
      </H3>
      <Text mb="sm">Status: {String(params.status ?? '').replace('_', ' ')}</Text>
      {button.explain ? (
        <Text mb="lg" color="grey60">
          {button.explain}
        </Text>
      ) : null}
      <Button
        variant={button.variant as 'contained'}
        size="lg"
        disabled={busy || refusal !== null}
        aria-describedby={refusal ? 'step-action-reason' : undefined}
        onClick={() => void post({})}
      >
        {button.label}
      </Button>
      {refusal ? (
        <Text id="step-action-reason" mt="lg" color="error" role="status" data-testid="step-action-reason">
          {refusal}
        </Text>
      ) : null}
      {error}
    </Box>
  );
};

export default StepAction;
