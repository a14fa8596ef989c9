import React from 'react';
import { Button, TableCell, TableRow } from '@adminjs/design-system';
import type { FieldErrors } from './routing-api.js';
import { Field } from './routing-fields.js';
import type { CheckFormState, FieldChange } from './routing-state.js';

interface CheckFormRowProps {
  stepId: number;
  form: CheckFormState;
  errors?: FieldErrors;
  busy: boolean;
  /** The description field, focused when the row opens and after each check added. */
  inputRef: React.Ref<HTMLInputElement>;
  onChange: FieldChange;
  onClose: () => void;
}

/**
 * A check written in place, as a row of the step's checks table. Its fields belong to the form
 * element the table is preceded by (check-form-<step>), since a form may not sit inside a table row.
 */
export const CheckFormRow: React.FC<CheckFormRowProps> = ({ stepId, form, errors, busy, inputRef, onChange, onClose }) => {
  const formId = `check-form-${stepId}`;
  const editing = form.checkId !== null;
  const { draft } = form;
  return (
    <TableRow data-testid={`check-form-${stepId}`}>
      <TableCell>
        <Field id={formId} form={formId} name="sequence" label="Sequence" type="number" width={56} draft={draft} onChange={onChange} errors={errors} />
      </TableCell>
      <TableCell>
        <Field id={formId} form={formId} name="description" label="Check" width={200} draft={draft} onChange={onChange} errors={errors} inputRef={inputRef} />
      </TableCell>
      <TableCell>
        <Field id={formId} form={formId} name="requires_measurement" label="Measured" type="checkbox" draft={draft} onChange={onChange} errors={errors} />
      </TableCell>
      <TableCell>
        <Field id={formId} form={formId} name="lower_limit" label="Lower limit" type="number" width={76} draft={draft} onChange={onChange} errors={errors} />
      </TableCell>
      <TableCell>
        <Field id={formId} form={formId} name="upper_limit" label="Upper limit" type="number" width={76} draft={draft} onChange={onChange} errors={errors} />
      </TableCell>
      <TableCell>
        <Field id={formId} form={formId} name="unit" label="Unit" width={56} draft={draft} onChange={onChange} errors={errors} />
      </TableCell>
      <TableCell>
        <Button type="submit" form={formId} size="sm" variant="contained" disabled={busy} mr="sm">
          {editing ? 'Save check' : 'Add check'}
        </Button>
        <Button type="button" size="sm" variant="text" onClick={onClose}>
          {editing ? 'Cancel' : 'Done'}
        </Button>
      </TableCell>
    </TableRow>
  );
};
