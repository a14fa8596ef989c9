import React, { useCallback, useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, Button, H2, H4, Link, Loader, MessageBox, Text } from '@adminjs/design-system';

// The shapes sent by src/travelers/shop-floor.service.ts.
interface WorkCheck {
  id: number;
  sequence: number;
  description: string;
  requiresMeasurement: boolean;
  lowerLimit: number | null;
  upperLimit: number | null;
  unit: string | null;
  measuredValue: number | null;
  outOfLimits: boolean;
  disposition: string | null;
  dispositionNote: string | null;
  done: boolean;
}

interface WorkStep {
  kind: 'routing' | 'manual';
  id: number;
  travelerId: number;
  travelerNumber: string;
  partNumber: string;
  dueDate: string | null;
  position: string;
  operation: string;
  instructions: string | null;
  workCenter: { id: number; code: string; name: string } | null;
  status: 'pending' | 'in_progress';
  clockedIn: string[];
  meClockedIn: boolean;
  checks: WorkCheck[];
}

interface OpenClockIn {
  entryId: number;
  since: string;
  travelerId: number;
  travelerNumber: string;
  stepKind: 'routing' | 'manual' | null;
  stepId: number | null;
  stepLabel: string;
}

interface MyWorkData {
  clockedIn: OpenClockIn | null;
  steps: WorkStep[];
  workCenters: Array<{ id: number; code: string; name: string }>;
  workCenterId: number | null;
  truncated: boolean;
  note?: string;
  asOf: string;
}

const api = new ApiClient();

const stepResource = (kind: 'routing' | 'manual') => (kind === 'routing' ? 'traveler_steps' : 'manual_steps');

/** The time alone for a clock-in of the server's today (a terminal's own clock may be wrong). */
function since(iso: string, asOf: string): string {
  const d = new Date(iso);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
  return d.toDateString() === new Date(asOf).toDateString() ? time : `${d.toLocaleDateString()} ${time}`;
}

function limits(c: WorkCheck): string {
  const unit = c.unit ? ` ${c.unit}` : '';
  if (c.lowerLimit !== null && c.upperLimit !== null) return `${c.lowerLimit} to ${c.upperLimit}${unit}`;
  if (c.lowerLimit !== null) return `at least ${c.lowerLimit}${unit}`;
  if (c.upperLimit !== null) return `at most ${c.upperLimit}${unit}`;
  return '';
}

function serverMessage(error: unknown): string {
  const data = (error as { response?: { data?: { notice?: { message?: string } } } }).response?.data;
  return data?.notice?.message ?? 'The server did not answer. Check the connection and try again.';
}

const big = { fontSize: 18, padding: '14px 22px', minHeight: 52 } as const;

/**
 * "My work" for a shop-floor terminal: the operator's open clock-in, and each step that can be
 * worked now, with big buttons for what applies and the step's checklist. Every button is a
 * record action (POST), whose answer is shown as the server wrote it; the list is then reloaded.
 */
const MyWork: React.FC = () => {
  const [data, setData] = useState<MyWorkData | null>(null);
  const [loadFailed, setLoadFailed] = useState(false);
  const [workCenterId, setWorkCenterId] = useState<string>(() => new URLSearchParams(window.location.search).get('workCenterId') ?? '');
  const [message, setMessage] = useState<{ variant: 'success' | 'danger'; text: string } | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [values, setValues] = useState<Record<number, string>>({});

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
  }, [load, workCenterId]);

  const chooseWorkCenter = (wc: string) => {
    // Kept in the address, so that a terminal's bookmark opens on its own work center.
    const url = new URL(window.location.href);
    if (wc) url.searchParams.set('workCenterId', wc);
    else url.searchParams.delete('workCenterId');
    window.history.replaceState(window.history.state, '', url.toString());
    setWorkCenterId(wc);
  };

  const act = async (key: string, resourceId: string, recordId: number, actionName: string, payload: Record<string, unknown> = {}): Promise<boolean> => {
    setBusy(key);
    setMessage(null);
    try {
      const response = await api.recordAction({ resourceId, recordId: String(recordId), actionName, method: 'post', data: payload });
      const notice = (response.data as { notice?: { message?: string } }).notice;
      setMessage({ variant: 'success', text: notice?.message ?? 'Done.' });
      return true;
    } catch (error) {
      setMessage({ variant: 'danger', text: serverMessage(error) });
      return false;
    } finally {
      await load(workCenterId);
      setBusy(null);
    }
  };

  if (loadFailed && !data) return <MessageBox variant="danger" message="Your work could not be loaded. Reload the page to try again." />;
  if (!data) return <Loader />;

  const open = data.clockedIn;
  return (
    <Box p="xl" data-testid="my-work">
      <Box flex flexDirection="row" alignItems="center" justifyContent="space-between" mb="lg" style={{ gap: 16, flexWrap: 'wrap' }}>
        <H2 mb="none">My work</H2>
        <label style={{ fontSize: 18 }}>
          Work center{' '}
          <select data-testid="work-center-filter" value={workCenterId} onChange={(e) => chooseWorkCenter(e.target.value)}
            style={{ fontSize: 18, padding: '10px 12px', minWidth: 240 }}>
            <option value="">All work centers</option>
            {data.workCenters.map((wc) => <option key={wc.id} value={String(wc.id)}>{wc.code} · {wc.name}</option>)}
          </select>
        </label>
      </Box>

      {message ? <MessageBox variant={message.variant} message={message.text} mb="lg" data-testid="my-work-message" onCloseClick={() => setMessage(null)} /> : null}
      {data.note ? <MessageBox variant="info" message={data.note} mb="lg" data-testid="my-work-note" /> : null}

      {open ? (
        <Box variant="card" p="lg" mb="xl" data-testid="clock-in-banner" flex flexDirection="row" alignItems="center" justifyContent="space-between"
          style={{ background: '#ecfdf5', borderLeft: '6px solid #059669', gap: 16, flexWrap: 'wrap' }}>
          <Text fontSize="xl" fontWeight="bold">
            Clocked in on {open.travelerNumber} {open.stepLabel} since {since(open.since, data.asOf)}
          </Text>
          {open.stepKind && open.stepId !== null ? (
            <Button variant="contained" style={big} disabled={busy !== null} data-testid="banner-clock-out"
              onClick={() => void act('banner', stepResource(open.stepKind!), open.stepId!, 'clockOut')}>
              Clock out
            </Button>
          ) : null}
        </Box>
      ) : null}

      {data.steps.length === 0 && !data.note ? (
        <Text fontSize="lg" color="grey60" data-testid="my-work-empty">Nothing can be worked here right now.</Text>
      ) : null}
      {data.truncated ? <Text mb="lg" color="grey60">More steps are waiting than fit here: choose a work center.</Text> : null}

      {data.steps.map((s) => {
        const key = `${s.kind}-${s.id}`;
        const resourceId = stepResource(s.kind);
        const doing = busy !== null;
        return (
          <Box key={key} variant="card" p="lg" mb="lg" data-testid="work-step" data-step-id={s.id} data-step-kind={s.kind} data-traveler={s.travelerNumber}
            style={{ borderLeft: `6px solid ${s.status === 'in_progress' ? '#2563eb' : '#9ca3af'}` }}>
            <Box flex flexDirection="row" justifyContent="space-between" style={{ gap: 16, flexWrap: 'wrap' }}>
              <Box>
                <H4 mb="sm">
                  {s.travelerNumber} · {s.kind === 'routing' ? `Step ${s.position}` : `Manual step ${s.position}`}: {s.operation}
                </H4>
                <Text color="grey60">
                  Part {s.partNumber}{s.dueDate ? ` · due ${s.dueDate}` : ''}{s.workCenter ? ` · ${s.workCenter.code} (${s.workCenter.name})` : ''}
                </Text>
                <Text mt="sm">
                  <Badge variant={s.status === 'in_progress' ? 'primary' : 'default'} data-testid="step-status">{s.status === 'in_progress' ? 'In progress' : 'Ready'}</Badge>{' '}
                  {s.clockedIn.length ? <span data-testid="clocked-in-names">Clocked in: {s.clockedIn.join(', ')}</span> : <span>Nobody clocked in</span>}
                </Text>
                {s.instructions ? <Text mt="sm">{s.instructions}</Text> : null}
                <Text mt="sm">
                  <Link href={`/admin/resources/travelers/records/${s.travelerId}/show`}>Traveler {s.travelerNumber}</Link>
                  {' · '}
                  <Link href={`/admin/travelers/${s.travelerId}/print`} target="_blank" rel="noopener">Printable traveler</Link>
                </Text>
              </Box>
              <Box flex flexDirection="row" alignItems="flex-start" style={{ gap: 12, flexWrap: 'wrap' }}>
                {s.status === 'pending' ? (
                  <Button variant="outlined" style={big} disabled={doing} onClick={() => void act(key, resourceId, s.id, 'start')}>Start</Button>
                ) : null}
                {s.meClockedIn ? (
                  <Button variant="outlined" style={big} disabled={doing} onClick={() => void act(key, resourceId, s.id, 'clockOut')}>Clock out</Button>
                ) : (
                  <Button variant="contained" style={big} disabled={doing} onClick={() => void act(key, resourceId, s.id, 'clockIn')}>Clock in</Button>
                )}
                {s.status === 'in_progress' ? (
                  <Button variant="success" style={big} disabled={doing} onClick={() => void act(key, resourceId, s.id, 'signOff')}>Sign off</Button>
                ) : null}
              </Box>
            </Box>

            {s.checks.length ? (
              <Box mt="lg" data-testid="checklist">
                {s.checks.map((c) => (
                  <Box key={c.id} flex flexDirection="row" alignItems="center" py="sm" data-testid="work-check" data-check-id={c.id}
                    style={{ gap: 12, flexWrap: 'wrap', borderTop: '1px solid #e5e7eb' }}>
                    {c.requiresMeasurement ? (
                      <>
                        <Text style={{ minWidth: 280 }}>{c.sequence}. {c.description}</Text>
                        <input type="text" inputMode="decimal" aria-label={`Measured value for check ${c.sequence}`} data-testid="check-value"
                          value={values[c.id] ?? (c.measuredValue === null ? '' : String(c.measuredValue))}
                          onChange={(e) => setValues({ ...values, [c.id]: e.target.value })}
                          style={{ fontSize: 18, padding: '10px 12px', width: 140 }} />
                        <Text color="grey60">{limits(c)}</Text>
                        <Button variant="contained" style={big} disabled={doing} data-testid="check-record"
                          onClick={() =>
                            void act(key, 'traveler_sub_steps', c.id, 'recordCheck', { measured_value: values[c.id] ?? (c.measuredValue === null ? '' : String(c.measuredValue)) })
                              // Show what the server stored from now on, not what was typed.
                              .then((ok) => ok && setValues((v) => Object.fromEntries(Object.entries(v).filter(([id]) => Number(id) !== c.id))))
                          }>
                          Record
                        </Button>
                      </>
                    ) : (
                      <label style={{ fontSize: 18, display: 'flex', alignItems: 'center', gap: 12, minWidth: 280 }}>
                        <input type="checkbox" checked={c.done} disabled={doing} data-testid="check-tick" style={{ width: 28, height: 28 }}
                          onChange={(e) => void act(key, 'traveler_sub_steps', c.id, 'recordCheck', { done: e.target.checked ? 'true' : 'false' })} />
                        {c.sequence}. {c.description}
                      </label>
                    )}
                    {c.done && !c.outOfLimits ? <Badge variant="success" data-testid="check-done">Done</Badge> : null}
                    {c.outOfLimits ? <Badge variant="danger" data-testid="out-of-limits">OUT OF LIMITS</Badge> : null}
                    {c.outOfLimits && !c.disposition ? <Text color="error">Quality must record a disposition before sign-off.</Text> : null}
                    {c.disposition ? (
                      <Text data-testid="check-disposition">Disposition: {c.disposition.replace(/_/g, ' ')}{c.dispositionNote ? ` (${c.dispositionNote})` : ''}</Text>
                    ) : null}
                  </Box>
                ))}
              </Box>
            ) : null}
          </Box>
        );
      })}
    </Box>
  );
};

export default MyWork;
