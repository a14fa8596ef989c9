import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Box, H4, Loader, MessageBox, Text } from '@adminjs/design-system';

// The shapes sent by src/records/routing.service.ts (types only: nothing of the server is bundled).
import type { Routing } from '../../records/routing.service.js';
import { AddStepForm } from './routing-editor/add-step-form.js';
import { OutcomeMessage } from './routing-editor/outcome-message.js';
import { loadRouting, readAnswer, send, type Answer, type FieldErrors, type Outcome, type Result } from './routing-editor/routing-api.js';
import {
  checkDraft,
  emptyCheck,
  emptyStep,
  stepDraft,
  type CheckFormState,
  type Draft,
  type Removing,
  type RoutingActions,
} from './routing-editor/routing-state.js';
import { StepRow } from './routing-editor/step-row.js';

interface Props {
  record: { id: string };
  resource: { id: string };
}

/**
 * A revision's routing on its page, written in place as a child table: its steps in order with
 * their work centers, each with its checks (limits and units); a row at the end adds a step, a
 * row under a step's checks adds a check, and rows are changed or removed where they are. On a
 * step's own page it shows that step's checks. Every change is saved through the routing API
 * with the same rules as the forms, and answers where it was made: saved, held for approval
 * (with the request), or refused with the reason at the field.
 */
const RoutingEditor: React.FC<Props> = ({ record, resource }) => {
  const scope = resource.id === 'process_steps' ? 'process_steps' : 'revisions';
  const [routing, setRouting] = useState<Routing | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [newStep, setNewStep] = useState<Draft>(emptyStep(10));
  const [editingStep, setEditingStep] = useState<{ id: number; draft: Draft } | null>(null);
  const [checkForm, setCheckForm] = useState<CheckFormState | null>(null);
  const [removing, setRemoving] = useState<Removing | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome | undefined>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, FieldErrors | undefined>>({});
  const [busy, setBusy] = useState(false);
  const operationRef = useRef<HTMLInputElement>(null);
  const checkRef = useRef<HTMLInputElement>(null);
  const [focusAfter, setFocusAfter] = useState<'operation' | 'check' | null>(null);

  const load = useCallback(async (): Promise<Routing | null> => {
    const loaded = await loadRouting(scope, record.id);
    if ('error' in loaded) {
      setLoadError(loaded.error);
      return null;
    }
    setRouting(loaded.routing);
    setLoadError(null);
    return loaded.routing;
  }, [scope, record.id]);

  useEffect(() => {
    void load().then((r) => {
      if (r) setNewStep(emptyStep(r.nextStepNumber));
    });
  }, [load]);

  // Focus moves only once the row it belongs to is on the page again.
  useEffect(() => {
    if (focusAfter === 'operation') operationRef.current?.focus();
    if (focusAfter === 'check') checkRef.current?.focus();
    if (focusAfter) setFocusAfter(null);
  }, [focusAfter, routing, checkForm]);

  const settle = (key: string, answer: Answer): Result => {
    const { result, outcome, fields } = readAnswer(answer);
    setFieldErrors((e) => ({ ...e, [key]: fields }));
    setOutcomes((o) => ({ ...o, [key]: outcome }));
    return result;
  };

  const addStep = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!routing || busy) return;
    setBusy(true);
    const result = settle('add-step', await send(`revisions/${routing.revision.id}/steps`, newStep));
    if (result !== 'refused') {
      const fresh = await load();
      setNewStep(emptyStep(fresh?.nextStepNumber ?? Number(newStep.step_number) + 10));
      setFocusAfter('operation');
    }
    setBusy(false);
  };

  const saveStep = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!editingStep || busy) return;
    const step = routing?.steps.find((s) => s.id === editingStep.id);
    setBusy(true);
    const key = `step-${editingStep.id}`;
    const result = settle(key, await send(`process_steps/${editingStep.id}`, { ...editingStep.draft, version: String(step?.version ?? '') }));
    if (result !== 'refused') {
      setEditingStep(null);
      await load();
    }
    setBusy(false);
  };

  const saveCheck = async (event: React.FormEvent) => {
    event.preventDefault();
    if (!checkForm || busy) return;
    const { stepId, checkId, draft } = checkForm;
    const key = `checks-${stepId}`;
    setBusy(true);
    const check = routing?.steps.find((s) => s.id === stepId)?.checks.find((c) => c.id === checkId);
    const answer =
      checkId === null
        ? await send(`process_steps/${stepId}/checks`, draft)
        : await send(`sub_steps/${checkId}`, { ...draft, version: String(check?.version ?? '') });
    const result = settle(key, answer);
    if (result !== 'refused') {
      const fresh = await load();
      if (checkId === null) {
        // Ready for the next check of the same step: most steps have several.
        const step = fresh?.steps.find((s) => s.id === stepId);
        setCheckForm({ stepId, checkId: null, draft: emptyCheck(step?.nextSequence ?? Number(draft.sequence) + 1), measuredTouched: false });
        setFocusAfter('check');
      } else {
        setCheckForm(null);
      }
    }
    setBusy(false);
  };

  const remove = async () => {
    if (!removing || busy) return;
    setBusy(true);
    // Said where it stays visible: under the step for a check, above the routing for a step that is gone.
    const key = removing.kind === 'step' ? `step-${removing.id}` : `checks-${removing.stepId}`;
    const result = settle(key, await send(`${removing.kind === 'step' ? 'process_steps' : 'sub_steps'}/${removing.id}/delete`));
    if (result === 'done' && removing.kind === 'step') setOutcomes((o) => ({ ...o, routing: o[key], [key]: undefined }));
    setRemoving(null);
    if (result !== 'refused') {
      const fresh = await load();
      if (fresh && scope === 'revisions') setNewStep((d) => ({ ...d, step_number: String(fresh.nextStepNumber) }));
    }
    setBusy(false);
  };

  const actions: RoutingActions = {
    editStep: (step) => setEditingStep({ id: step.id, draft: stepDraft(step) }),
    changeStep: (name, value) => setEditingStep((e) => (e ? { ...e, draft: { ...e.draft, [name]: value } } : e)),
    saveStep: (event) => void saveStep(event),
    cancelStep: () => setEditingStep(null),
    openCheckForm: (step, check) => {
      setCheckForm({ stepId: step.id, checkId: check?.id ?? null, draft: check ? checkDraft(check) : emptyCheck(step.nextSequence), measuredTouched: !!check });
      setFocusAfter('check');
    },
    changeCheck: (name, value) => {
      setCheckForm((f) => {
        if (!f) return f;
        const draft = { ...f.draft, [name]: value };
        // Typing a limit means the check is measured, unless the person has said otherwise.
        if (!f.measuredTouched && (name === 'lower_limit' || name === 'upper_limit') && String(value).trim() !== '') draft.requires_measurement = true;
        return { ...f, draft, measuredTouched: f.measuredTouched || name === 'requires_measurement' };
      });
    },
    saveCheck: (event) => void saveCheck(event),
    closeCheckForm: () => setCheckForm(null),
    askRemove: setRemoving,
    remove: () => void remove(),
    keep: () => setRemoving(null),
  };

  if (loadError) return <MessageBox variant="danger" message={loadError} mb="xl" />;
  if (!routing) return <Loader />;

  const { may } = routing;
  const oneStep = routing.stepId !== null;
  const checksCount = routing.steps.reduce((n, s) => n + s.checks.length, 0);

  return (
    <Box mb="xl" data-testid="routing-editor">
      <H4 mb="sm">{oneStep ? 'Checks' : 'Routing'}</H4>
      <Text mb="lg" color="grey60">
        {oneStep
          ? `Step of ${routing.revision.title}.`
          : `${routing.steps.length} step${routing.steps.length === 1 ? '' : 's'}, ${checksCount} check${checksCount === 1 ? '' : 's'}. Travelers copy this routing when they are created.`}
      </Text>
      {(may.addStep || may.editStep) && routing.approval.steps ? (
        <MessageBox variant="info" mb="lg" message={routing.approval.steps} data-testid="routing-approval-note" />
      ) : null}
      <OutcomeMessage outcome={outcomes.routing} testId="routing-outcome" />
      {routing.steps.length === 0 && !oneStep ? (
        <Text mb="lg" data-testid="routing-empty">
          No steps yet.{may.addStep ? ' Add the first one below.' : ''}
        </Text>
      ) : null}

      {routing.steps.map((step) => (
        <StepRow
          key={step.id}
          step={step}
          routing={routing}
          oneStep={oneStep}
          editing={editingStep?.id === step.id ? editingStep.draft : null}
          stepErrors={fieldErrors[`step-${step.id}`]}
          stepOutcome={outcomes[`step-${step.id}`]}
          checkForm={checkForm?.stepId === step.id ? checkForm : null}
          checkErrors={fieldErrors[`checks-${step.id}`]}
          checksOutcome={outcomes[`checks-${step.id}`]}
          removing={removing?.stepId === step.id ? removing : null}
          busy={busy}
          checkRef={checkRef}
          actions={actions}
        />
      ))}

      {may.addStep && !oneStep ? (
        <AddStepForm
          draft={newStep}
          errors={fieldErrors['add-step']}
          outcome={outcomes['add-step']}
          centers={routing.workCenters}
          busy={busy}
          operationRef={operationRef}
          onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
          onSubmit={(e) => void addStep(e)}
        />
      ) : null}
    </Box>
  );
};

export default RoutingEditor;
