import React from 'react';
import { Table, TableBody } from '@adminjs/design-system';
import type { Routing, RoutingStep as Step } from '../../../records/routing.service.js';
import { ColumnHeaders } from '../record-children/children-table.js';
import { CheckFormRow } from './check-form.js';
import { CheckRow } from './check-row.js';
import type { FieldErrors } from './routing-api.js';
import type { CheckFormState, Removing, RoutingActions } from './routing-state.js';

const COLUMNS = ['#', 'Check', 'Measured', 'Lower', 'Upper', 'Unit'] as const;

interface ChecksTableProps {
  step: Step;
  may: Routing['may'];
  /** The check row open under this step, if any. */
  checkForm: CheckFormState | null;
  errors?: FieldErrors;
  /** The removal of this step or one of its checks waiting for its confirmation, if any. */
  removing: Removing | null;
  busy: boolean;
  checkRef: React.Ref<HTMLInputElement>;
  actions: RoutingActions;
}

/** A step's checks in order, with the check being written in place (a changed one where it was, a new one at the end). */
export const ChecksTable: React.FC<ChecksTableProps> = ({ step, may, checkForm, errors, removing, busy, checkRef, actions }) => {
  const formRow = checkForm ? (
    <CheckFormRow
      stepId={step.id}
      form={checkForm}
      errors={errors}
      busy={busy}
      inputRef={checkRef}
      onChange={actions.changeCheck}
      onClose={actions.closeCheckForm}
    />
  ) : null;
  return (
    <>
      <form
        id={`check-form-${step.id}`}
        onSubmit={actions.saveCheck}
        onKeyDown={(e) => e.key === 'Escape' && actions.closeCheckForm()}
        aria-label={`Check of step ${step.step_number}`}
      />
      <Table mt="default" data-testid={`checks-${step.step_number}`}>
        <ColumnHeaders columns={COLUMNS} actions="Actions" />
        <TableBody onKeyDown={(e: React.KeyboardEvent) => e.key === 'Escape' && actions.closeCheckForm()}>
          {step.checks.map((check) =>
            checkForm?.checkId === check.id ? (
              <React.Fragment key={check.id}>{formRow}</React.Fragment>
            ) : (
              <CheckRow
                key={check.id}
                step={step}
                check={check}
                may={may}
                removing={removing?.kind === 'check' && removing.id === check.id}
                busy={busy}
                actions={actions}
              />
            ),
          )}
          {checkForm?.checkId === null ? formRow : null}
        </TableBody>
      </Table>
    </>
  );
};
