import React from 'react';
import { Badge, Box, Button, Link, Text } from '@adminjs/design-system';
import type { Routing, RoutingStep as Step } from '../../../records/routing.service.js';
import { recordUrl } from '../panel-urls.js';
import type { RoutingActions } from './routing-state.js';

interface StepHeaderProps {
  step: Step;
  /** On a step's own page: no link to itself, and the step is changed or removed through its own actions. */
  oneStep: boolean;
  may: Routing['may'];
  actions: RoutingActions;
}

/** A step's line: its number, operation, work center and hours, with what may be done to it. */
export const StepHeader: React.FC<StepHeaderProps> = ({ step, oneStep, may, actions }) => (
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
          onClick={() => actions.openCheckForm(step)}
        >
          + Check
        </Button>
      ) : null}
      {may.editStep && !oneStep ? (
        <Button type="button" size="sm" variant="text" mr="sm" aria-label={`Edit step ${step.step_number}`} onClick={() => actions.editStep(step)}>
          Edit
        </Button>
      ) : null}
      {may.removeStep && !oneStep ? (
        <Button
          type="button"
          size="sm"
          variant="text"
          aria-label={`Remove step ${step.step_number}`}
          onClick={() => actions.askRemove({ kind: 'step', id: step.id, stepId: step.id })}
        >
          Remove
        </Button>
      ) : null}
    </span>
  </Box>
);
