import React from 'react';
import { Box, Button } from '@adminjs/design-system';
import type { Routing } from '../../../records/routing.service.js';
import { OutcomeMessage } from './outcome-message.js';
import type { FieldErrors, Outcome } from './routing-api.js';
import { Field, WorkCenterField, rowForm } from './routing-fields.js';
import type { Draft, FieldChange } from './routing-state.js';

interface AddStepFormProps {
  draft: Draft;
  errors?: FieldErrors;
  outcome?: Outcome;
  centers: Routing['workCenters'];
  busy: boolean;
  /** The operation field, focused again after each step added. */
  operationRef: React.Ref<HTMLInputElement>;
  onChange: FieldChange;
  onSubmit: (event: React.FormEvent) => void;
}

/** The row at the end of the routing that adds a step, with the next free number already in it. */
export const AddStepForm: React.FC<AddStepFormProps> = ({ draft, errors, outcome, centers, busy, operationRef, onChange, onSubmit }) => (
  <Box variant="card" p="lg" style={{ border: '1px dashed #9ca3af' }} data-testid="add-step">
    <form onSubmit={onSubmit} style={rowForm} aria-label="Add a step">
      <Field id="add-step" name="step_number" label="Step" type="number" width={64} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field
        id="add-step"
        name="operation"
        label="Operation"
        width={260}
        draft={draft}
        onChange={onChange}
        errors={errors}
        inputRef={operationRef}
        visibleLabel
      />
      <WorkCenterField id="add-step" draft={draft} onChange={onChange} errors={errors} centers={centers} visibleLabel />
      <Field id="add-step" name="estimated_hours" label="Est. hours" type="number" width={80} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field id="add-step" name="is_parallel" label="Parallel" type="checkbox" draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <Field id="add-step" name="instructions" label="Instructions" width={260} draft={draft} onChange={onChange} errors={errors} visibleLabel />
      <span style={{ alignSelf: 'flex-end' }}>
        <Button type="submit" variant="contained" disabled={busy}>
          Add step
        </Button>
      </span>
    </form>
    <OutcomeMessage outcome={outcome} testId="add-step-outcome" />
  </Box>
);
