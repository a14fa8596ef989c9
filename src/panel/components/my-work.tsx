import React, { useCallback, useEffect, useRef, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, Button, H2, H4, Link, Loader, MessageBox, Text } from '@adminjs/design-system';
import { formatLimits } from '../../shared/limits-format.js';
// The shapes sent by src/travelers/shop-floor.service.ts (types only: nothing of the server is bundled).
import type { MyWork as MyWorkData, WorkCheck } from '../../travelers/shop-floor.service.js';
import type { StepMove } from '../../travelers/step-moves.js';
import { pageUrl, panelUrl, recordUrl } from './panel-urls.js';

/** An answer shown at the control that was used ("banner", "step-routing-12", "check-40"). */
interface Answer {
  at: string;
  variant: 'success' | 'danger';
  text: string;
}

const api = new ApiClient();

const stepResource = (kind: 'routing' | 'manual') => (kind === 'routing' ? 'traveler_steps' : 'manual_steps');

/** The time alone for a clock-in of the server's today (a terminal's own clock may be wrong). */
function since(iso: string, asOf: string): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  return d.toDateString() === new Date(asOf).toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

const limits = (c: WorkCheck) => formatLimits(c.lowerLimit, c.upperLimit, c.unit);

/** The server's reason, as it wrote it: a field's own message first (a measurement it could not read). */
function serverMessage(error: unknown): string {
  const data = (error as { response?: { data?: { notice?: { message?: string }; record?: { errors?: Record<string, { message?: string }> } } } }).response
    ?.data;
  return data?.record?.errors?.measured_value?.message ?? data?.notice?.message ?? 'The server did not answer. Check the connection and try again.';
}

/** Whether the control an answer belongs to is still on the page (a signed-off step leaves it). */
function placed(at: string, data: MyWorkData): boolean {
  if (at === 'banner') return data.clockedIn !== null;
  if (at.startsWith('check-')) return data.steps.some((s) => s.checks.some((c) => `check-${c.id}` === at));
  return data.steps.some((s) => `step-${s.kind}-${s.id}` === at);
}

const big = { fontSize: 18, padding: '14px 22px', minHeight: 52 } as const;

/**
 * A step card's buttons, in order. Each shows when the server offers its move (step-moves.ts),
 * disabled beside the server's reason when it would be refused now.
 */
const MOVE_BUTTONS: Array<{ move: StepMove; name: string; label: string; variant: 'outlined' | 'contained' | 'success' }> = [
  { move: 'start', name: 'start', label: 'Start', variant: 'outlined' },
  { move: 'clockOut', name: 'clock-out', label: 'Clock out', variant: 'outlined' },
  { move: 'clockIn', name: 'clock-in', label: 'Clock in', variant: 'contained' },
  { move: 'signOff', name: 'sign-off', label: 'Sign off', variant: 'success' },
];

/** How often the page asks again, so that an operator waiting for quality sees its decision. */
const REFRESH_MS = 30_000;

/** An answer in place: announced as it appears (an alert for a refusal, a status for a confirmation). */
const AnswerBox: React.FC<{ answer: Answer; id?: string }> = ({ answer, id }) => (
  <Box
    id={id}
    mt="default"
    data-testid="my-work-message"
    data-variant={answer.variant}
    role={answer.variant === 'danger' ? 'alert' : 'status'}
    style={{
      width: '100%',
      padding: '10px 14px',
      borderRadius: 4,
      fontSize: 16,
      lineHeight: 1.4,
      overflowWrap: 'anywhere',
      background: answer.variant === 'danger' ? '#fef2f2' : '#ecfdf5',
      borderLeft: `4px solid ${answer.variant === 'danger' ? '#b91c1c' : '#047857'}`,
      color: answer.variant === 'danger' ? '#7f1d1d' : '#064e3b',
    }}
  >
    {answer.text}
  </Box>
);

/**
 * "My work" for a shop-floor terminal or a phone: the operator's open clock-in, what quality
 * decided on their measurements, and each step that can be worked now, with big buttons for what
 * applies and the step's checklist. Every button is a record action (POST) whose answer is shown
 * under that button, as the server wrote it. Which buttons show, and which are disabled beside
 * the server's reason, is the server's answer for each step (its moves): never worked out here.
 */
const MyWork: React.FC = () => {
  const [data, setData] = useState<MyWorkData | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [workCenterId, setWorkCenterId] = useState<string>(() => new URLSearchParams(window.location.search).get('workCenterId') ?? '');
  const [answer, setAnswer] = useState<Answer | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [values, setValues] = useState<Record<number, string>>({});
  const busyRef = useRef(false);
  const topAnswer = useRef<HTMLDivElement>(null);

  const load = useCallback(async (wc: string) => {
    try {
      const response = await api.getPage({ pageName: 'myWork', params: wc ? { workCenterId: wc } : {} });
      setData(response.data as MyWorkData);
      setLoadFailed(false);
    } catch {
      setLoadFailed(true);
    }
  }, []);

  useEffect(() => {
    void load(workCenterId);
    const again = () => {
      if (!busyRef.current && document.visibilityState === 'visible') void load(workCenterId);
    };
    const timer = window.setInterval(again, REFRESH_MS);
    document.addEventListener('visibilitychange', again);
    return () => {
      window.clearInterval(timer);
      document.removeEventListener('visibilitychange', again);
    };
  }, [load, workCenterId]);

  // An answer whose control left the page (a step signed off) is shown at the top: bring it into view.
  const orphan = answer !== null && data !== null && !placed(answer.at, data);
  useEffect(() => {
    if (orphan) topAnswer.current?.scrollIntoView({ block: 'start', behavior: 'smooth' });
  }, [orphan, answer]);

  const chooseWorkCenter = (wc: string) => {
    // Kept in the address, so that a terminal's bookmark opens on its own work center.
    const url = new URL(window.location.href);
    if (wc) url.searchParams.set('workCenterId', wc);
    else url.searchParams.delete('workCenterId');
    window.history.replaceState(window.history.state, '', url.toString());
    setWorkCenterId(wc);
  };

  const act = async (at: string, resourceId: string, recordId: number, actionName: string, payload: Record<string, unknown> = {}): Promise<boolean> => {
    setBusy(at);
    busyRef.current = true;
    setAnswer(null);
    try {
      const response = await api.recordAction({ resourceId, recordId: String(recordId), actionName, method: 'post', data: payload });
      const notice = (response.data as { notice?: { message?: string; type?: string } }).notice;
      if (notice?.type === 'error') {
        setAnswer({ at, variant: 'danger', text: notice.message ?? 'Refused.' });
        return false;
      }
      setAnswer({ at, variant: 'success', text: notice?.message ?? 'Done.' });
      return true;
    } catch (error) {
      setAnswer({ at, variant: 'danger', text: serverMessage(error) });
      return false;
    } finally {
      await load(workCenterId);
      busyRef.current = false;
      setBusy(null);
    }
  };

  if (loadFailed && !data) return <MessageBox variant="danger" role="alert" message="Your work could not be loaded. Reload the page to try again." />;
  if (!data) return <Loader />;

  const open = data.clockedIn;
  const here = (at: string) => (answer && answer.at === at ? <AnswerBox answer={answer} id={`answer-${at}`} /> : null);
  const doing = busy !== null;

  const recordMeasurement = (c: WorkCheck) => {
    const typed = values[c.id] ?? (c.measuredValue === null ? '' : String(c.measuredValue));
    void act(`check-${c.id}`, 'traveler_sub_steps', c.id, 'recordCheck', { measured_value: typed })
      // Show what the server stored from now on, not what was typed.
      .then((ok) => ok && setValues((v) => Object.fromEntries(Object.entries(v).filter(([id]) => Number(id) !== c.id))));
  };

  return (
    <Box p={['lg', 'xl']} data-testid="my-work" style={{ maxWidth: '100%', overflowWrap: 'anywhere' }}>
      <Box flex flexDirection="row" alignItems="center" justifyContent="space-between" mb="lg" style={{ gap: 12, flexWrap: 'wrap' }}>
        <H2 mb="none">My work</H2>
        <label style={{ fontSize: 18, display: 'flex', alignItems: 'center', gap: 8, flexWrap: 'wrap', maxWidth: '100%' }}>
          Work center
          <select
            data-testid="work-center-filter"
            value={workCenterId}
            onChange={(e) => chooseWorkCenter(e.target.value)}
            style={{ fontSize: 18, padding: '10px 12px', width: 260, maxWidth: '100%' }}
          >
            <option value="">All work centers</option>
            {data.workCenters.map((wc) => (
              <option key={wc.id} value={String(wc.id)}>
                {wc.code} · {wc.name}
              </option>
            ))}
          </select>
        </label>
      </Box>

      {orphan ? (
        <div ref={topAnswer} style={{ scrollMarginTop: 16 }}>
          <AnswerBox answer={answer} />
        </div>
      ) : null}
      {data.note ? <MessageBox variant="info" message={data.note} mb="lg" data-testid="my-work-note" /> : null}

      {(data.decided ?? []).map((d) => (
        <Box
          key={d.subStepId}
          mb="lg"
          role="status"
          data-testid="disposition-decided"
          data-disposition={d.disposition}
          style={{
            padding: '12px 16px',
            borderRadius: 4,
            fontSize: 17,
            lineHeight: 1.45,
            background: d.disposition === 'use_as_is' ? '#ecfdf5' : '#fff7ed',
            borderLeft: `6px solid ${d.disposition === 'use_as_is' ? '#047857' : '#c2410c'}`,
          }}
        >
          {d.message}
        </Box>
      ))}

      {data.awaitingDisposition ? (
        <Box
          mb="lg"
          data-testid="awaiting-disposition"
          style={{ padding: '12px 16px', borderRadius: 4, background: '#fef2f2', borderLeft: '6px solid #b91c1c', fontSize: 17, lineHeight: 1.45 }}
        >
          {data.awaitingDisposition} {data.awaitingDisposition === 1 ? 'check awaits' : 'checks await'} quality’s disposition.{' '}
          <Link href={pageUrl('dispositionQueue')}>Open the disposition queue</Link>
        </Box>
      ) : null}

      {open ? (
        <Box variant="card" p="lg" mb="xl" data-testid="clock-in-banner" style={{ background: '#ecfdf5', borderLeft: '6px solid #059669' }}>
          <Box flex flexDirection="row" alignItems="center" justifyContent="space-between" style={{ gap: 12, flexWrap: 'wrap' }}>
            <Text fontSize="xl" fontWeight="bold">
              Clocked in on {open.travelerNumber} {open.stepLabel} since {since(open.since, data.asOf)}
            </Text>
            {open.stepKind && open.stepId !== null ? (
              <Button
                variant="contained"
                style={big}
                disabled={doing}
                data-testid="banner-clock-out"
                aria-describedby={answer?.at === 'banner' ? 'answer-banner' : undefined}
                onClick={() => void act('banner', stepResource(open.stepKind!), open.stepId!, 'clockOut')}
              >
                Clock out
              </Button>
            ) : null}
          </Box>
          {here('banner')}
        </Box>
      ) : null}

      {data.steps.length === 0 && !data.note ? (
        <Text fontSize="lg" color="grey60" data-testid="my-work-empty">
          Nothing can be worked here right now.
        </Text>
      ) : null}
      {data.truncated ? (
        <Text mb="lg" color="grey60">
          More steps are waiting than fit here: choose a work center.
        </Text>
      ) : null}

      {data.steps.map((s) => {
        const key = `step-${s.kind}-${s.id}`;
        const resourceId = stepResource(s.kind);
        const buttons = MOVE_BUTTONS.filter((b) => s.moves.offered.includes(b.move));
        return (
          <Box
            as="section"
            key={key}
            variant="card"
            p={['lg', 'xl']}
            mb="lg"
            data-testid="work-step"
            data-step-id={s.id}
            data-step-kind={s.kind}
            data-traveler={s.travelerNumber}
            aria-label={`${s.travelerNumber} ${s.kind === 'routing' ? `step ${s.position}` : `manual step ${s.position}`}: ${s.operation}`}
            style={{ borderLeft: `6px solid ${s.status === 'in_progress' ? '#2563eb' : '#6b7280'}` }}
          >
            <H4 mb="sm">
              {s.travelerNumber} · {s.kind === 'routing' ? `Step ${s.position}` : `Manual step ${s.position}`}: {s.operation}
            </H4>
            <Text color="grey60">
              Part {s.partNumber}
              {s.dueDate ? ` · due ${s.dueDate}` : ''}
              {s.workCenter ? ` · ${s.workCenter.code} (${s.workCenter.name})` : ''}
            </Text>
            <Text mt="sm">
              <Badge variant={s.status === 'in_progress' ? 'primary' : 'default'} data-testid="step-status">
                {s.status === 'in_progress' ? 'In progress' : 'Ready'}
              </Badge>{' '}
              {s.clockedIn.length ? <span data-testid="clocked-in-names">Clocked in: {s.clockedIn.join(', ')}</span> : <span>Nobody clocked in</span>}
            </Text>
            {s.instructions ? <Text mt="sm">{s.instructions}</Text> : null}
            <Text mt="sm">
              <Link href={recordUrl('travelers', s.travelerId)}>Traveler {s.travelerNumber}</Link>
              {' · '}
              <Link href={panelUrl(`/travelers/${s.travelerId}/print`)} target="_blank" rel="noopener">
                Printable traveler
              </Link>
            </Text>

            {s.checks.length ? (
              <Box mt="lg" data-testid="checklist">
                {s.checks.map((c) => {
                  const at = `check-${c.id}`;
                  const inputId = `check-value-${c.id}`;
                  const shown = answer?.at === at;
                  return (
                    <Box key={c.id} py="default" data-testid="work-check" data-check-id={c.id} style={{ borderTop: '1px solid #e5e7eb' }}>
                      {c.requiresMeasurement ? (
                        // A form: Enter in the value records it, as the Record button does.
                        <form
                          onSubmit={(e) => {
                            e.preventDefault();
                            if (!doing) recordMeasurement(c);
                          }}
                          style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 12 }}
                        >
                          <label htmlFor={inputId} style={{ fontSize: 18, lineHeight: 1.4, flexBasis: '100%' }}>
                            {c.sequence}. {c.description}
                            {limits(c) ? <span style={{ color: '#4b5563' }}> ({limits(c)})</span> : null}
                          </label>
                          <input
                            id={inputId}
                            type="text"
                            inputMode="decimal"
                            enterKeyHint="done"
                            autoComplete="off"
                            data-testid="check-value"
                            aria-invalid={shown && answer?.variant === 'danger' ? true : undefined}
                            aria-describedby={shown ? `answer-${at}` : undefined}
                            value={values[c.id] ?? (c.measuredValue === null ? '' : String(c.measuredValue))}
                            onChange={(e) => setValues({ ...values, [c.id]: e.target.value })}
                            style={{ fontSize: 18, padding: '10px 12px', width: 140, maxWidth: '100%' }}
                          />
                          <Button type="submit" variant="contained" style={big} disabled={doing} data-testid="check-record">
                            Record
                          </Button>
                        </form>
                      ) : (
                        <label style={{ fontSize: 18, lineHeight: 1.4, display: 'flex', alignItems: 'center', gap: 12 }}>
                          <input
                            type="checkbox"
                            checked={c.done}
                            disabled={doing}
                            data-testid="check-tick"
                            style={{ width: 28, height: 28, flexShrink: 0 }}
                            aria-describedby={shown ? `answer-${at}` : undefined}
                            onChange={(e) => void act(at, 'traveler_sub_steps', c.id, 'recordCheck', { done: e.target.checked ? 'true' : 'false' })}
                          />
                          {c.sequence}. {c.description}
                        </label>
                      )}
                      <Box mt="sm" flex flexDirection="row" alignItems="center" style={{ gap: 8, flexWrap: 'wrap' }}>
                        {c.done && !c.outOfLimits ? (
                          <Badge variant="success" data-testid="check-done">
                            Done
                          </Badge>
                        ) : null}
                        {c.outOfLimits ? (
                          <Badge variant="danger" data-testid="out-of-limits">
                            OUT OF LIMITS
                          </Badge>
                        ) : null}
                        {c.outOfLimits && !c.disposition ? <Text color="error">Quality must record a disposition before sign-off.</Text> : null}
                        {c.disposition ? (
                          <Text data-testid="check-disposition">
                            Disposition: {c.disposition.replace(/_/g, ' ')}
                            {c.dispositionNote ? ` (${c.dispositionNote})` : ''}
                          </Text>
                        ) : null}
                      </Box>
                      {here(at)}
                    </Box>
                  );
                })}
              </Box>
            ) : null}

            <Box mt="lg" flex flexDirection="row" alignItems="flex-start" style={{ gap: 12, flexWrap: 'wrap' }}>
              {buttons.map(({ move, name, label, variant }) => (
                <Button
                  key={move}
                  variant={variant}
                  style={big}
                  disabled={doing || s.moves[move] !== null}
                  data-testid={name}
                  aria-describedby={s.moves[move] !== null ? `${key}-${name}-reason` : undefined}
                  onClick={() => void act(key, resourceId, s.id, move)}
                >
                  {label}
                </Button>
              ))}
            </Box>
            {buttons.map(({ move, name, label }) =>
              s.moves[move] !== null ? (
                <Text key={move} id={`${key}-${name}-reason`} mt="default" color="grey80" data-testid={`${name}-reason`}>
                  {label} is not possible yet: {s.moves[move]}
                </Text>
              ) : null,
            )}
            {here(key)}
          </Box>
        );
      })}
    </Box>
  );
};

export default MyWork;
