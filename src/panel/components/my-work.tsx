import React, { useCallback, useEffect, useRef, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H2, Loader, MessageBox, Text } from '@adminjs/design-system';
// The shapes sent by src/travelers/shop-floor.service.ts (types only: nothing of the server is bundled).
import type { MyWork as MyWorkData, WorkCheck } from '../../travelers/shop-floor.service.js';
import { ClockInBanner, DispositionNotices } from './my-work/floor-notices.js';
import { AnswerBox, placed, serverMessage, type Answer } from './my-work/work-answers.js';
import type { Act } from './my-work/work-format.js';
import { WorkStepCard } from './my-work/work-step-card.js';

const api = new ApiClient();

/** How often the page asks again, so that an operator waiting for quality sees its decision. */
const REFRESH_MS = 30_000;

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

  const act: Act = async (at, resourceId, recordId, actionName, payload = {}) => {
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

      <DispositionNotices data={data} />
      <ClockInBanner data={data} answer={answer} doing={doing} act={act} />

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

      {data.steps.map((s) => (
        <WorkStepCard
          key={`step-${s.kind}-${s.id}`}
          step={s}
          answer={answer}
          doing={doing}
          values={values}
          onType={(checkId, value) => setValues({ ...values, [checkId]: value })}
          onRecord={recordMeasurement}
          act={act}
        />
      ))}
    </Box>
  );
};

export default MyWork;
