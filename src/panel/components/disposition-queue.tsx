import React, { useCallback, useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, Button, H2, H4, Label, Link, Loader, MessageBox, Text, TextArea } from '@adminjs/design-system';

// The shapes sent by src/travelers/disposition-queue.service.ts (types only: nothing of the server is bundled).
import type { AwaitingCheck, DispositionQueue as QueueData } from '../../travelers/disposition-queue.service.js';
import { recordUrl } from './panel-urls.js';

type Choice = QueueData['choices'][number];

interface Answer {
  notice?: { message?: string; type?: string };
  redirectUrl?: string;
  record?: { errors?: Record<string, { message?: string }> };
}

interface Props {
  /** As a record action of a traveler step: that step's checks. */
  record?: { id: string };
  resource?: { id: string };
  action?: { name: string };
  /** On a traveler's page: its checks, and nothing at all when none waits. */
  travelerId?: string;
  /** On a check's own Disposition page: that check alone. */
  subStepId?: string;
  /** Told after each decision (the check's page then goes to the check; the traveler's page reloads its steps). */
  onDecided?: (message: string, redirectUrl?: string) => void;
}

const api = new ApiClient();

const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
const measured = (item: AwaitingCheck) => `${item.measuredValue}${item.unit ? ` ${item.unit}` : ''}`;

/** The server's answer to a refused call, as it wrote it (field messages too). */
function refusalOf(error: unknown): { message: string; fields: Record<string, string> } {
  const data = (error as { response?: { data?: Answer } }).response?.data;
  const fields: Record<string, string> = {};
  for (const [field, value] of Object.entries(data?.record?.errors ?? {})) if (value?.message) fields[field] = value.message;
  return { message: data?.notice?.message ?? 'The server did not answer. Check the connection and try again.', fields };
}

/**
 * One check awaiting quality's decision, named fully (traveler, part, step, check, limits, the
 * value and who measured it), with the Disposition form in place. The answer (a refusal or the
 * confirmation) appears under the button that was pressed.
 */
const DispositionItem: React.FC<{ item: AwaitingCheck; choices: Choice[]; single: boolean; onDecided: (message: string, redirectUrl?: string) => void }> = ({
  item,
  choices,
  single,
  onDecided,
}) => {
  const [disposition, setDisposition] = useState('');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ message: string; fields: Record<string, string> } | null>(null);
  const [done, setDone] = useState<string | null>(null);
  // One check's page keeps the ids its labels and tests know; in a list each form has its own.
  const prefix = single ? '' : `check-${item.subStepId}-`;

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const response = await api.recordAction({
        resourceId: 'traveler_sub_steps',
        recordId: String(item.subStepId),
        actionName: 'disposition',
        method: 'post',
        data: { disposition, note },
      });
      const answer = response.data as Answer;
      if (answer.notice?.type === 'error') {
        setFailure(refusalOf({ response: { data: answer } }));
        return;
      }
      const message = answer.notice?.message ?? 'Disposition recorded.';
      setDone(message);
      onDecided(message, answer.redirectUrl);
    } catch (error) {
      setFailure(refusalOf(error));
    } finally {
      setBusy(false);
    }
  };

  const heading = `${item.travelerNumber} · step ${item.stepNumber} (${item.operation}) · check ${item.sequence}: ${item.description}`;
  return (
    <Box
      as="section"
      variant="card"
      p="lg"
      mb="lg"
      data-testid="disposition-item"
      data-sub-step-id={item.subStepId}
      aria-label={heading}
      style={{ borderLeft: '6px solid #b91c1c', maxWidth: 760 }}
    >
      {single ? (
        <H2 mb="sm">
          Disposition of check {item.sequence}: {item.description}
        </H2>
      ) : (
        <H4 mb="sm">{heading}</H4>
      )}
      <Text mb="sm" data-testid="disposition-subject">
        Traveler <Link href={recordUrl('travelers', item.travelerId)}>{item.travelerNumber}</Link>
        {' · '}part {item.partNumber} rev {item.revisionCode}
        {' · '}
        <Link href={recordUrl('traveler_steps', item.stepId)}>
          step {item.stepNumber} ({item.operation})
        </Link>
        {item.workCenterCode ? ` · ${item.workCenterCode}` : ''}
      </Text>
      <Text mb="sm" fontWeight="bold" data-testid="disposition-measurement">
        Measured {measured(item)}, limits {item.limits || 'none'}: outside its limits.
      </Text>
      <Text mb="lg" color="grey60">
        Check {item.sequence} ({item.description}) measured by {item.measuredBy ?? 'unknown'}
        {item.measuredAt ? ` at ${when(item.measuredAt)}` : ''}.
      </Text>
      {done ? (
        <MessageBox variant="success" message={done} role="status" data-testid="disposition-done" />
      ) : (
        <form onSubmit={(e) => void submit(e)} data-testid="disposition-form">
          <Label htmlFor={`${prefix}disposition`} required>
            Disposition
          </Label>
          <select
            id={`${prefix}disposition`}
            name="disposition"
            value={disposition}
            onChange={(e) => setDisposition(e.target.value)}
            aria-invalid={failure?.fields.disposition ? true : undefined}
            aria-describedby={failure?.fields.disposition ? `${prefix}disposition-error` : undefined}
            style={{ width: '100%', maxWidth: 480, fontSize: 16, padding: 10, marginBottom: 8, display: 'block' }}
          >
            <option value="">Choose…</option>
            {choices.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
          {failure?.fields.disposition ? (
            <Text id={`${prefix}disposition-error`} color="error" mb="default" role="alert">
              {failure.fields.disposition}
            </Text>
          ) : null}
          <Label htmlFor={`${prefix}note`} required>
            Why (printed on the traveler)
          </Label>
          <TextArea
            id={`${prefix}note`}
            name="note"
            width="100%"
            value={note}
            style={{ maxWidth: 640 }}
            aria-invalid={failure?.fields.disposition_note ? true : undefined}
            aria-describedby={failure?.fields.disposition_note ? `${prefix}note-error` : undefined}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNote(e.target.value)}
            mb="sm"
          />
          {failure?.fields.disposition_note ? (
            <Text id={`${prefix}note-error`} color="error" mb="default" role="alert">
              {failure.fields.disposition_note}
            </Text>
          ) : null}
          <Box mt="default">
            <Button type="submit" variant="danger" size="lg" disabled={busy}>
              Record disposition
            </Button>
          </Box>
          {failure && !Object.keys(failure.fields).length ? (
            <MessageBox variant="danger" message={failure.message} mt="default" role="alert" data-testid="disposition-error" />
          ) : null}
        </form>
      )}
    </Box>
  );
};

/**
 * Quality's queue of checks measured outside their limits: the "Disposition queue" page, a
 * traveler step's Disposition action (that step's checks), the traveler's page (its checks) and a
 * check's own Disposition action (that check). One list, read from the page's handler.
 */
const DispositionQueue: React.FC<Props> = ({ record, resource, travelerId, subStepId, onDecided }) => {
  const [data, setData] = useState<QueueData | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const stepId = resource?.id === 'traveler_steps' ? record?.id : undefined;
  const scope: Record<string, string> = {
    ...(stepId && { stepId }),
    ...(travelerId && { travelerId }),
    ...(subStepId && { subStepId }),
  };
  const scopeKey = JSON.stringify(scope);

  const load = useCallback(async () => {
    try {
      const response = await api.getPage({ pageName: 'dispositionQueue', params: JSON.parse(scopeKey) as Record<string, string> });
      setData(response.data as QueueData);
      setRefused(null);
    } catch (error) {
      setRefused(refusalOf(error).message);
    }
  }, [scopeKey]);

  useEffect(() => {
    void load();
  }, [load]);

  const decided = (message: string, redirectUrl?: string) => onDecided?.(message, redirectUrl);

  if (refused) return travelerId ? null : <MessageBox variant="danger" message={refused} role="alert" data-testid="disposition-queue-refused" />;
  if (!data) return travelerId ? null : <Loader />;

  if (subStepId) {
    const item = data.items[0];
    return item ? (
      <DispositionItem item={item} choices={data.choices} single onDecided={decided} />
    ) : (
      <MessageBox
        variant="info"
        role="status"
        data-testid="disposition-none"
        message="This check does not await a disposition: it is within its limits, already decided, or its step is signed off."
      />
    );
  }

  // On a traveler's page the queue shows only when something of it waits.
  if (travelerId && data.items.length === 0) return null;
  const title = stepId ? 'Checks of this step awaiting a disposition' : travelerId ? 'Awaiting quality’s disposition' : 'Disposition queue';
  return (
    <Box p={travelerId ? undefined : ['default', 'xl']} mb="xl" data-testid="disposition-queue">
      {travelerId ? <H4>{title}</H4> : <H2>{title}</H2>}
      <Text mb="lg" color="grey60" role="status" data-testid="disposition-count">
        {data.items.length === 0
          ? stepId
            ? 'No check of this step awaits a disposition.'
            : 'No check awaits a disposition.'
          : `${data.items.length}${data.truncated ? '+' : ''} ${data.items.length === 1 ? 'check awaits' : 'checks await'} a disposition, oldest measurement first.`}
      </Text>
      {data.items.map((item) => (
        <DispositionItem key={item.subStepId} item={item} choices={data.choices} single={false} onDecided={decided} />
      ))}
      {data.truncated ? <Text color="grey60">More checks wait than are listed here: open a traveler to see its own.</Text> : null}
      {data.items.length ? (
        <Button type="button" variant="text" onClick={() => void load()} data-testid="disposition-refresh">
          Refresh the queue
        </Button>
      ) : null}
    </Box>
  );
};

export default DispositionQueue;
