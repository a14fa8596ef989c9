import React from 'react';
import { Button, TableCell, TableRow } from '@adminjs/design-system';
import { formatLimits } from '../../../shared/limits-format.js';
import type { Routing, RoutingCheck as Check, RoutingStep as Step } from '../../../records/routing.service.js';
import { ConfirmRemove } from './confirm-remove.js';
import type { RoutingActions } from './routing-state.js';

/** What a screen reader hears of a check's limits, in the words every other screen uses. */
function limits(c: Check): string {
  if (!c.requires_measurement) return 'no measurement';
  return formatLimits(c.lower_limit, c.upper_limit, c.unit) || `measured${c.unit ? ` ${c.unit}` : ''}, no limits`;
}

interface CheckRowProps {
  step: Step;
  check: Check;
  may: Routing['may'];
  /** This check's removal is waiting for its confirmation. */
  removing: boolean;
  busy: boolean;
  actions: RoutingActions;
}

/** One check of a step, as a row of its table, with what may be done to it. */
export const CheckRow: React.FC<CheckRowProps> = ({ step, check, may, removing, busy, actions }) => (
  <TableRow data-testid={`check-${step.step_number}-${check.sequence}`}>
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
          onClick={() => actions.openCheckForm(step, check)}
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
          onClick={() => actions.askRemove({ kind: 'check', id: check.id, stepId: step.id })}
        >
          Remove
        </Button>
      ) : null}
      {removing ? (
        <ConfirmRemove
          what={`Remove check ${check.sequence} "${check.description}"?`}
          testId={`confirm-remove-check-${step.step_number}-${check.sequence}`}
          busy={busy}
          onRemove={actions.remove}
          onKeep={actions.keep}
        />
      ) : null}
    </TableCell>
  </TableRow>
);
