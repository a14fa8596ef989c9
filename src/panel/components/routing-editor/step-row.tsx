import React from 'react';
import { Box, Text } from '@adminjs/design-system';
import type { Routing, RoutingStep as Step } from '../../../records/routing.service.js';
import { ChecksTable } from './checks-table.js';
import { ConfirmRemove } from './confirm-remove.js';
import { OutcomeMessage } from './outcome-message.js';
import type { FieldErrors, Outcome } from './routing-api.js';
import type { CheckFormState, Draft, Removing, RoutingActions } from './routing-state.js';
import { StepEditForm } from './step-edit-form.js';
import { StepHeader } from './step-header.js';

interface StepRowProps {
  step: Step;
  routing: Routing;
  oneStep: boolean;
  /** The step's draft while it is being changed, else null. */
  editing: Draft | null;
  stepErrors?: FieldErrors;
  stepOutcome?: Outcome;
  /** The check row open under this step, if any. */
  checkForm: CheckFormState | null;
  checkErrors?: FieldErrors;
  checksOutcome?: Outcome;
  /** The removal of this step or one of its checks waiting for its confirmation, if any. */
  removing: Removing | null;
  busy: boolean;
  checkRef: React.Ref<HTMLInputElement>;
  actions: RoutingActions;
}

/** One step of the routing: its header (or its form while changed), its instructions, and its checks. */
export const StepRow: React.FC<StepRowProps> = ({
  step,
  routing,
  oneStep,
  editing,
  stepErrors,
  stepOutcome,
  checkForm,
  checkErrors,
  checksOutcome,
  removing,
  busy,
  checkRef,
  actions,
}) => {
  const { may } = routing;
  const checks = step.checks.length;
  return (
    <Box
      mb="lg"
      p="lg"
      variant="card"
      style={{ border: '1px solid #e5e7eb' }}
      data-testid={`routing-step-${step.step_number}`}
      as="section"
      aria-label={`Step ${step.step_number} ${step.operation}`}
    >
      {editing ? (
        <StepEditForm
          step={step}
          draft={editing}
          errors={stepErrors}
          centers={routing.workCenters}
          busy={busy}
          onChange={actions.changeStep}
          onSubmit={actions.saveStep}
          onCancel={actions.cancelStep}
        />
      ) : (
        <StepHeader step={step} oneStep={oneStep} may={may} actions={actions} />
      )}
      {step.instructions && !editing ? (
        <Text mt="sm" fontSize="sm">
          {step.instructions}
        </Text>
      ) : null}
      <OutcomeMessage outcome={stepOutcome} testId={`step-outcome-${step.step_number}`} />
      {removing?.kind === 'step' ? (
        <ConfirmRemove
          what={`Remove step ${step.step_number} "${step.operation}"${checks ? ` and its ${checks} check${checks === 1 ? '' : 's'}` : ''}?`}
          testId={`confirm-remove-step-${step.step_number}`}
          busy={busy}
          onRemove={actions.remove}
          onKeep={actions.keep}
        />
      ) : null}
      {checks || checkForm ? (
        <ChecksTable step={step} may={may} checkForm={checkForm} errors={checkErrors} removing={removing} busy={busy} checkRef={checkRef} actions={actions} />
      ) : (
        <Text mt="sm" fontSize="sm" color="grey60">
          No checks.
        </Text>
      )}
      {checkForm && may.addCheck && routing.approval.checks ? (
        <Text mt="sm" fontSize="sm" color="grey60">
          {routing.approval.checks}
        </Text>
      ) : null}
      <OutcomeMessage outcome={checksOutcome} testId={`checks-outcome-${step.step_number}`} />
    </Box>
  );
};
