import React from 'react';
import { Button } from '@adminjs/design-system';
import type { Routing, RoutingStep as Step } from '../../../records/routing.service.js';
import type { FieldErrors } from './routing-api.js';
import { Field, WorkCenterField, rowForm } from './routing-fields.js';
import type { Draft, FieldChange } from './routing-state.js';

interface StepEditFormProps {
  step: Step;
  draft: Draft;
  errors?: FieldErrors;
  centers: Routing['workCenters'];
  busy: boolean;
  onChange: FieldChange;
  onSubmit: (event: React.FormEvent) => void;
  onCancel: () => void;
}

/** A step's own fields, changed in place of its header. */
export const StepEditForm: React.FC<StepEditFormProps> = ({ step, draft, errors, centers, busy, onChange, onSubmit, onCancel }) => {
  const id = `step-edit-${step.id}`;
  return (
    <form onSubmit={onSubmit} style={rowForm} data-testid={`step-edit-${step.id}`} aria-label={`Change step ${step.step_number}`}>
      <Field id={id} name="step_number" label="Step" type="number" width={64} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field id={id} name="operation" label="Operation" width={260} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <WorkCenterField id={id} draft={draft} onChange={onChange} errors={errors} centers={centers} visibleLabel />
      <Field id={id} name="estimated_hours" label="Est. hours" type="number" width={80} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field id={id} name="is_parallel" label="Parallel" type="checkbox" draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field id={id} name="instructions" label="Instructions" width={260} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <span style={{ alignSelf: 'flex-end' }}>
        <Button type="submit" size="sm" variant="contained" disabled={busy} mr="sm">
          Save step
        </Button>
        <Button type="button" size="sm" variant="text" onClick={onCancel}>
          Cancel
        </Button>
      </span>
    </form>
  );
};
