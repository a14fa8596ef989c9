import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Box, Button, H4, Input, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { formatLimits } from '../../shared/limits-format.js';

// The shapes sent by src/records/routing.service.ts (types only: nothing of the server is bundled).
import type { Routing, RoutingCheck as Check, RoutingStep as Step } from '../../records/routing.service.js';
import { panelUrl, recordUrl } from './panel-urls.js';

interface Props {
  record: { id: string };
  resource: { id: string };
}

type Draft = Record<string, string | boolean>;
type FieldErrors = Record<string, string>;
interface Outcome {
  type: 'success' | 'info' | 'error';
  message: string;
  approvalId?: number;
}
interface Answer {
  status: number;
  body: { message?: string; error?: string; fields?: FieldErrors; approvalId?: number; id?: number };
}

const API = panelUrl('/api/routing');

/** One call of the routing API (src/http/routes/routing.routes.ts); a failed network call reads as an error answer. */
async function send(path: string, data: Record<string, unknown> = {}): Promise<Answer> {
  try {
    const response = await fetch(`${API}/${path}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(data),
    });
    const body = (await response.json().catch(() => ({}))) as Answer['body'];
    return { status: response.status, body };
  } catch {
    return { status: 0, body: { error: 'NEXUS could not be reached: nothing was saved. Check the connection and try again.' } };
  }
}

const emptyStep = (next: number): Draft => ({
  step_number: String(next),
  operation: '',
  work_center_id: '',
  estimated_hours: '',
  is_parallel: false,
  instructions: '',
});
const stepDraft = (s: Step): Draft => ({
  step_number: String(s.step_number),
  operation: s.operation,
  work_center_id: String(s.work_center_id),
  estimated_hours: String(s.estimated_hours),
  is_parallel: s.is_parallel,
  instructions: s.instructions ?? '',
});
const emptyCheck = (next: number): Draft => ({
  sequence: String(next),
  description: '',
  requires_measurement: false,
  lower_limit: '',
  upper_limit: '',
  unit: '',
});
const checkDraft = (c: Check): Draft => ({
  sequence: String(c.sequence),
  description: c.description,
  requires_measurement: c.requires_measurement,
  lower_limit: c.lower_limit === null ? '' : String(c.lower_limit),
  upper_limit: c.upper_limit === null ? '' : String(c.upper_limit),
  unit: c.unit ?? '',
});

/** What a screen reader hears of a check's limits, in the words every other screen uses. */
function limits(c: Check): string {
  if (!c.requires_measurement) return 'no measurement';
  return formatLimits(c.lower_limit, c.upper_limit, c.unit) || `measured${c.unit ? ` ${c.unit}` : ''}, no limits`;
}

const errorText: React.CSSProperties = { color: '#b91c1c', fontSize: 12, marginTop: 2, display: 'block', maxWidth: 220, whiteSpace: 'normal' };
const th: React.CSSProperties = { textAlign: 'left', whiteSpace: 'nowrap' };
const selectStyle: React.CSSProperties = {
  height: 36,
  border: '1px solid #898a9a',
  borderRadius: 2,
  padding: '0 6px',
  background: '#fff',
  font: 'inherit',
  maxWidth: 240,
};
const rowForm: React.CSSProperties = { display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start' };

/** What happened to a change, where it was made: saved, sent for approval (with the request), or refused. */
const OutcomeLine: React.FC<{ outcome?: Outcome; testId: string }> = ({ outcome, testId }) => {
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

interface FieldProps {
  id: string;
  name: string;
  label: string;
  draft: Draft;
  onChange: (name: string, value: string | boolean) => void;
  errors?: FieldErrors;
  form?: string;
  type?: 'text' | 'number' | 'checkbox';
  width?: number;
  inputRef?: React.Ref<HTMLInputElement>;
  /** Shown above the field when the row has no column headers (the add-step row). */
  visibleLabel?: boolean;
}

/** One field of an inline row, with its message right under it (and tied to it for screen readers). */
const Field: React.FC<FieldProps> = ({ id, name, label, draft, onChange, errors, form, type = 'text', width, inputRef, visibleLabel }) => {
  const inputId = `${id}-${name}`;
  const error = errors?.[name];
  const described = error ? `${inputId}-error` : undefined;
  const labelNode = visibleLabel ? (
    <label htmlFor={inputId} style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
      {label}
    </label>
  ) : null;
  if (type === 'checkbox') {
    return (
      <span style={{ display: 'inline-block' }}>
        {labelNode}
        <input
          id={inputId}
          name={name}
          type="checkbox"
          form={form}
          checked={draft[name] === true}
          aria-label={visibleLabel ? undefined : label}
          aria-invalid={!!error}
          aria-describedby={described}
          onChange={(e) => onChange(name, e.target.checked)}
          style={{ width: 18, height: 18, marginTop: visibleLabel ? 8 : 9 }}
        />
        {error ? (
          <span id={described} style={errorText}>
            {error}
          </span>
        ) : null}
      </span>
    );
  }
  return (
    <span style={{ display: 'inline-block', width }}>
      {labelNode}
      <Input
        id={inputId}
        name={name}
        form={form}
        ref={inputRef}
        value={String(draft[name] ?? '')}
        aria-label={visibleLabel ? undefined : label}
        aria-invalid={!!error}
        aria-describedby={described}
        inputMode={type === 'number' ? 'decimal' : undefined}
        style={{ width: '100%', borderColor: error ? '#b91c1c' : undefined }}
        onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(name, e.target.value)}
      />
      {error ? (
        <span id={described} style={errorText} data-testid={`${inputId}-error`}>
          {error}
        </span>
      ) : null}
    </span>
  );
};

const WorkCenterField: React.FC<{
  id: string;
  draft: Draft;
  onChange: FieldProps['onChange'];
  errors?: FieldErrors;
  centers: Routing['workCenters'];
  visibleLabel?: boolean;
}> = ({ id, draft, onChange, errors, centers, visibleLabel }) => {
  const inputId = `${id}-work_center_id`;
  const error = errors?.work_center_id;
  return (
    <span style={{ display: 'inline-block' }}>
      {visibleLabel ? (
        <label htmlFor={inputId} style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
          Work center
        </label>
      ) : null}
      <select
        id={inputId}
        name="work_center_id"
        value={String(draft.work_center_id ?? '')}
        aria-label={visibleLabel ? undefined : 'Work center'}
        aria-invalid={!!error}
        aria-describedby={error ? `${inputId}-error` : undefined}
        style={{ ...selectStyle, borderColor: error ? '#b91c1c' : (selectStyle.border as string) }}
        onChange={(e) => onChange('work_center_id', e.target.value)}
      >
        <option value="">Choose…</option>
        {centers.map((c) => (
          <option key={c.id} value={String(c.id)}>
            {c.label}
          </option>
        ))}
      </select>
      {error ? (
        <span id={`${inputId}-error`} style={errorText} data-testid={`${inputId}-error`}>
          {error}
        </span>
      ) : null}
    </span>
  );
};

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
  const [checkForm, setCheckForm] = useState<{ stepId: number; checkId: number | null; draft: Draft; measuredTouched: boolean } | null>(null);
  const [removing, setRemoving] = useState<{ kind: 'step' | 'check'; id: number; stepId: number } | null>(null);
  const [outcomes, setOutcomes] = useState<Record<string, Outcome | undefined>>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, FieldErrors | undefined>>({});
  const [busy, setBusy] = useState(false);
  const operationRef = useRef<HTMLInputElement>(null);
  const checkRef = useRef<HTMLInputElement>(null);
  const [focusAfter, setFocusAfter] = useState<'operation' | 'check' | null>(null);

  const load = useCallback(async (): Promise<Routing | null> => {
    try {
      const response = await fetch(`${API}/${scope}/${record.id}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
      const body = (await response.json().catch(() => ({}))) as Routing & { error?: string };
      if (!response.ok) {
        setLoadError(body.error ?? 'The routing could not be loaded.');
        return null;
      }
      setRouting(body);
      setLoadError(null);
      return body;
    } catch {
      setLoadError('The routing could not be loaded.');
      return null;
    }
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

  const settle = (key: string, answer: Answer): 'done' | 'held' | 'refused' => {
    const { status, body } = answer;
    if (status === 200 || status === 201) {
      setOutcomes((o) => ({ ...o, [key]: { type: 'success', message: body.message ?? 'Saved.' } }));
      setFieldErrors((e) => ({ ...e, [key]: undefined }));
      return 'done';
    }
    if (status === 202) {
      setOutcomes((o) => ({ ...o, [key]: { type: 'info', message: body.message ?? 'Submitted for approval.', approvalId: body.approvalId } }));
      setFieldErrors((e) => ({ ...e, [key]: undefined }));
      return 'held';
    }
    const fields = body.fields ?? {};
    const named = Object.keys(fields).length > 0;
    setFieldErrors((e) => ({ ...e, [key]: fields }));
    const message = status === 401 ? 'You are signed out: sign in again, then repeat the change.' : (body.error ?? 'The change was refused.');
    setOutcomes((o) => ({ ...o, [key]: { type: 'error', message: named ? `Not saved: ${Object.values(fields).join(' ')}` : `Not saved: ${message}` } }));
    return 'refused';
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

  const openCheckForm = (step: Step, check?: Check) => {
    setCheckForm({ stepId: step.id, checkId: check?.id ?? null, draft: check ? checkDraft(check) : emptyCheck(step.nextSequence), measuredTouched: !!check });
    setFocusAfter('check');
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

  const changeCheckDraft = (name: string, value: string | boolean) => {
    setCheckForm((f) => {
      if (!f) return f;
      const draft = { ...f.draft, [name]: value };
      // Typing a limit means the check is measured, unless the person has said otherwise.
      if (!f.measuredTouched && (name === 'lower_limit' || name === 'upper_limit') && String(value).trim() !== '') draft.requires_measurement = true;
      return { ...f, draft, measuredTouched: f.measuredTouched || name === 'requires_measurement' };
    });
  };

  if (loadError) return <MessageBox variant="danger" message={loadError} mb="xl" />;
  if (!routing) return <Loader />;

  const { may } = routing;
  const oneStep = routing.stepId !== null;
  const checksCount = routing.steps.reduce((n, s) => n + s.checks.length, 0);

  const checkFormRow = (step: Step) => {
    if (!checkForm || checkForm.stepId !== step.id) return null;
    const formId = `check-form-${step.id}`;
    const errors = fieldErrors[`checks-${step.id}`];
    const editing = checkForm.checkId !== null;
    return (
      <TableRow data-testid={`check-form-${step.id}`}>
        <TableCell>
          <Field
            id={formId}
            form={formId}
            name="sequence"
            label="Sequence"
            type="number"
            width={56}
            draft={checkForm.draft}
            onChange={changeCheckDraft}
            errors={errors}
          />
        </TableCell>
        <TableCell>
          <Field
            id={formId}
            form={formId}
            name="description"
            label="Check"
            width={200}
            draft={checkForm.draft}
            onChange={changeCheckDraft}
            errors={errors}
            inputRef={checkRef}
          />
        </TableCell>
        <TableCell>
          <Field
            id={formId}
            form={formId}
            name="requires_measurement"
            label="Measured"
            type="checkbox"
            draft={checkForm.draft}
            onChange={changeCheckDraft}
            errors={errors}
          />
        </TableCell>
        <TableCell>
          <Field
            id={formId}
            form={formId}
            name="lower_limit"
            label="Lower limit"
            type="number"
            width={76}
            draft={checkForm.draft}
            onChange={changeCheckDraft}
            errors={errors}
          />
        </TableCell>
        <TableCell>
          <Field
            id={formId}
            form={formId}
            name="upper_limit"
            label="Upper limit"
            type="number"
            width={76}
            draft={checkForm.draft}
            onChange={changeCheckDraft}
            errors={errors}
          />
        </TableCell>
        <TableCell>
          <Field id={formId} form={formId} name="unit" label="Unit" width={56} draft={checkForm.draft} onChange={changeCheckDraft} errors={errors} />
        </TableCell>
        <TableCell>
          <Button type="submit" form={formId} size="sm" variant="contained" disabled={busy} mr="sm">
            {editing ? 'Save check' : 'Add check'}
          </Button>
          <Button type="button" size="sm" variant="text" onClick={() => setCheckForm(null)}>
            {editing ? 'Cancel' : 'Done'}
          </Button>
        </TableCell>
      </TableRow>
    );
  };

  const stepHeader = (step: Step) => {
    if (editingStep?.id === step.id) {
      const id = `step-edit-${step.id}`;
      const errors = fieldErrors[`step-${step.id}`];
      const change = (name: string, value: string | boolean) => setEditingStep((e) => (e ? { ...e, draft: { ...e.draft, [name]: value } } : e));
      return (
        <form onSubmit={(e) => void saveStep(e)} style={rowForm} data-testid={`step-edit-${step.id}`} aria-label={`Change step ${step.step_number}`}>
          <Field id={id} name="step_number" label="Step" type="number" width={64} draft={editingStep.draft} onChange={change} errors={errors} visibleLabel />
          <Field id={id} name="operation" label="Operation" width={260} draft={editingStep.draft} onChange={change} errors={errors} visibleLabel />
          <WorkCenterField id={id} draft={editingStep.draft} onChange={change} errors={errors} centers={routing.workCenters} visibleLabel />
          <Field
            id={id}
            name="estimated_hours"
            label="Est. hours"
            type="number"
            width={80}
            draft={editingStep.draft}
            onChange={change}
            errors={errors}
            visibleLabel
          />
          <Field id={id} name="is_parallel" label="Parallel" type="checkbox" draft={editingStep.draft} onChange={change} errors={errors} visibleLabel />
          <Field id={id} name="instructions" label="Instructions" width={260} draft={editingStep.draft} onChange={change} errors={errors} visibleLabel />
          <span style={{ alignSelf: 'flex-end' }}>
            <Button type="submit" size="sm" variant="contained" disabled={busy} mr="sm">
              Save step
            </Button>
            <Button type="button" size="sm" variant="text" onClick={() => setEditingStep(null)}>
              Cancel
            </Button>
          </span>
        </form>
      );
    }
    return (
      <Box flex flexDirection="row" flexWrap="wrap" alignItems="center" style={{ gap: 8 }}>
        <Badge variant="primary" outline aria-label={`Step ${step.step_number}`}>
          {step.step_number}
        </Badge>
        {oneStep ? (
          <Text fontWeight="bold">{step.operation}</Text>
        ) : (
          <Link href={recordUrl('process_steps', step.id)} style={{ fontWeight: 'bold' }}>
            {step.operation}
          </Link>
        )}
        <Text color="grey60">{step.work_center}</Text>
        <Text color="grey60">{step.estimated_hours} h</Text>
        {step.is_parallel ? (
          <Badge variant="info" size="sm">
            parallel
          </Badge>
        ) : null}
        <span style={{ marginLeft: 'auto' }}>
          {may.addCheck ? (
            <Button
              type="button"
              size="sm"
              variant="outlined"
              mr="sm"
              aria-label={`Add a check to step ${step.step_number}`}
              data-testid={`add-check-${step.step_number}`}
              onClick={() => openCheckForm(step)}
            >
              + Check
            </Button>
          ) : null}
          {may.editStep && !oneStep ? (
            <Button
              type="button"
              size="sm"
              variant="text"
              mr="sm"
              aria-label={`Edit step ${step.step_number}`}
              onClick={() => setEditingStep({ id: step.id, draft: stepDraft(step) })}
            >
              Edit
            </Button>
          ) : null}
          {may.removeStep && !oneStep ? (
            <Button
              type="button"
              size="sm"
              variant="text"
              aria-label={`Remove step ${step.step_number}`}
              onClick={() => setRemoving({ kind: 'step', id: step.id, stepId: step.id })}
            >
              Remove
            </Button>
          ) : null}
        </span>
      </Box>
    );
  };

  const confirmRow = (what: string, testId: string) => (
    <Box mt="sm" p="sm" style={{ background: '#fef2f2', border: '1px solid #fecaca' }} role="alertdialog" aria-label={what} data-testid={testId}>
      <Text mb="sm">{what}</Text>
      <Button type="button" size="sm" variant="danger" mr="sm" disabled={busy} onClick={remove}>
        Remove
      </Button>
      <Button type="button" size="sm" variant="text" onClick={() => setRemoving(null)}>
        Keep
      </Button>
    </Box>
  );

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
      <OutcomeLine outcome={outcomes.routing} testId="routing-outcome" />
      {routing.steps.length === 0 && !oneStep ? (
        <Text mb="lg" data-testid="routing-empty">
          No steps yet.{may.addStep ? ' Add the first one below.' : ''}
        </Text>
      ) : null}

      {routing.steps.map((step) => (
        <Box
          key={step.id}
          mb="lg"
          p="lg"
          variant="card"
          style={{ border: '1px solid #e5e7eb' }}
          data-testid={`routing-step-${step.step_number}`}
          as="section"
          aria-label={`Step ${step.step_number} ${step.operation}`}
        >
          {stepHeader(step)}
          {step.instructions && editingStep?.id !== step.id ? (
            <Text mt="sm" fontSize="sm">
              {step.instructions}
            </Text>
          ) : null}
          <OutcomeLine outcome={outcomes[`step-${step.id}`]} testId={`step-outcome-${step.step_number}`} />
          {removing?.kind === 'step' && removing.id === step.id
            ? confirmRow(
                `Remove step ${step.step_number} "${step.operation}"${step.checks.length ? ` and its ${step.checks.length} check${step.checks.length === 1 ? '' : 's'}` : ''}?`,
                `confirm-remove-step-${step.step_number}`,
              )
            : null}
          {step.checks.length || checkForm?.stepId === step.id ? (
            <>
              <form
                id={`check-form-${step.id}`}
                onSubmit={(e) => void saveCheck(e)}
                onKeyDown={(e) => e.key === 'Escape' && setCheckForm(null)}
                aria-label={`Check of step ${step.step_number}`}
              />
              <Table mt="default" data-testid={`checks-${step.step_number}`}>
                <TableHead>
                  <TableRow>
                    <TableCell as="th" scope="col" style={th}>
                      #
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      Check
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      Measured
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      Lower
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      Upper
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      Unit
                    </TableCell>
                    <TableCell as="th" scope="col" style={th}>
                      <span style={{ position: 'absolute', left: -9999 }}>Actions</span>
                    </TableCell>
                  </TableRow>
                </TableHead>
                <TableBody onKeyDown={(e: React.KeyboardEvent) => e.key === 'Escape' && setCheckForm(null)}>
                  {step.checks.map((check) =>
                    checkForm?.checkId === check.id ? (
                      <React.Fragment key={check.id}>{checkFormRow(step)}</React.Fragment>
                    ) : (
                      <TableRow key={check.id} data-testid={`check-${step.step_number}-${check.sequence}`}>
                        <TableCell>{check.sequence}</TableCell>
                        <TableCell>{check.description}</TableCell>
                        <TableCell>{check.requires_measurement ? 'Yes' : 'No'}</TableCell>
                        <TableCell>{check.lower_limit ?? '—'}</TableCell>
                        <TableCell>{check.upper_limit ?? '—'}</TableCell>
                        <TableCell>{check.unit ?? '—'}</TableCell>
                        <TableCell style={{ whiteSpace: 'nowrap' }}>
                          <span style={{ position: 'absolute', left: -9999 }}>{limits(check)}</span>
                          {may.editCheck ? (
                            <Button
                              type="button"
                              size="sm"
                              variant="text"
                              mr="sm"
                              aria-label={`Edit check ${check.sequence} of step ${step.step_number}`}
                              onClick={() => openCheckForm(step, check)}
                            >
                              Edit
                            </Button>
                          ) : null}
                          {may.removeCheck ? (
                            <Button
                              type="button"
                              size="sm"
                              variant="text"
                              aria-label={`Remove check ${check.sequence} of step ${step.step_number}`}
                              onClick={() => setRemoving({ kind: 'check', id: check.id, stepId: step.id })}
                            >
                              Remove
                            </Button>
                          ) : null}
                          {removing?.kind === 'check' && removing.id === check.id
                            ? confirmRow(`Remove check ${check.sequence} "${check.description}"?`, `confirm-remove-check-${step.step_number}-${check.sequence}`)
                            : null}
                        </TableCell>
                      </TableRow>
                    ),
                  )}
                  {checkForm?.stepId === step.id && checkForm.checkId === null ? checkFormRow(step) : null}
                </TableBody>
              </Table>
            </>
          ) : (
            <Text mt="sm" fontSize="sm" color="grey60">
              No checks.
            </Text>
          )}
          {checkForm?.stepId === step.id && may.addCheck && routing.approval.checks ? (
            <Text mt="sm" fontSize="sm" color="grey60">
              {routing.approval.checks}
            </Text>
          ) : null}
          <OutcomeLine outcome={outcomes[`checks-${step.id}`]} testId={`checks-outcome-${step.step_number}`} />
        </Box>
      ))}

      {may.addStep && !oneStep ? (
        <Box variant="card" p="lg" style={{ border: '1px dashed #9ca3af' }} data-testid="add-step">
          <form onSubmit={(e) => void addStep(e)} style={rowForm} aria-label="Add a step">
            <Field
              id="add-step"
              name="step_number"
              label="Step"
              type="number"
              width={64}
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              visibleLabel
            />
            <Field
              id="add-step"
              name="operation"
              label="Operation"
              width={260}
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              inputRef={operationRef}
              visibleLabel
            />
            <WorkCenterField
              id="add-step"
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              centers={routing.workCenters}
              visibleLabel
            />
            <Field
              id="add-step"
              name="estimated_hours"
              label="Est. hours"
              type="number"
              width={80}
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              visibleLabel
            />
            <Field
              id="add-step"
              name="is_parallel"
              label="Parallel"
              type="checkbox"
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              visibleLabel
            />
            <Field
              id="add-step"
              name="instructions"
              label="Instructions"
              width={260}
              draft={newStep}
              onChange={(n, v) => setNewStep((d) => ({ ...d, [n]: v }))}
              errors={fieldErrors['add-step']}
              visibleLabel
            />
            <span style={{ alignSelf: 'flex-end' }}>
              <Button type="submit" variant="contained" disabled={busy}>
                Add step
              </Button>
            </span>
          </form>
          <OutcomeLine outcome={outcomes['add-step']} testId="add-step-outcome" />
        </Box>
      ) : null}
    </Box>
  );
};

export default RoutingEditor;
