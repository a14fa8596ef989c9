import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { useActionPost } from './use-action-post.js';
import { Box, Button, FormGroup, FormMessage, H3, Input, Label, MessageBox, Select, Text, TextArea } from '@adminjs/design-system';
import { recordUrl } from './panel-urls.js';

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string };
}

interface Option {
  value: string;
  label: string;
}

const api = new ApiClient();

/**
 * Adds a step to this traveler only, after a given routing step, with the reason. On a released
 * traveler the step is a change request until an approver signs it.
 */
const AddManualStep: React.FC<Props> = ({ record, resource, action }) => {
  const [values, setValues] = useState<Record<string, string>>({
    after_step_number: '',
    operation: '',
    work_center_id: '',
    instructions: '',
    estimated_hours: '0',
    reason: '',
  });
  const [centers, setCenters] = useState<Option[]>([]);
  const { post, errors, error, busy } = useActionPost(
    { resourceId: resource.id, recordId: record.id, actionName: action.name },
    'The step could not be added.',
  );
  const locked = !['draft'].includes(String(record.params.status));

  useEffect(() => {
    api
      .searchRecords({ resourceId: 'work_centers', query: '' })
      .then((found) => setCenters(found.map((r) => ({ value: String(r.id), label: r.title }))))
      // Without the list the picker stays empty, and the server names the missing work center on submit.
      .catch(() => setCenters([]));
  }, []);

  const set = (name: string) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => setValues({ ...values, [name]: e.target.value });

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await post(values, recordUrl('travelers', record.id));
  };

  // A field's error is tied to its input (aria-invalid, aria-describedby) and read out when it appears.
  const field = (name: string, label: string, input: React.ReactElement, required = false) => (
    <FormGroup error={!!errors[name]}>
      <Label htmlFor={name} required={required}>
        {label}
      </Label>
      {errors[name] ? React.cloneElement(input, { 'aria-invalid': true, 'aria-describedby': `${name}-error` }) : input}
      <FormMessage id={`${name}-error`} role={errors[name] ? 'alert' : undefined}>
        {errors[name]?.message}
      </FormMessage>
    </FormGroup>
  );

  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="add-manual-step">
      <H3>Add a step to traveler {String(record.params.number ?? '')}</H3>
      {locked ? (
        <MessageBox variant="info" mb="lg" message="This traveler is released: the new step is sent to an approver and appears once approved." />
      ) : null}
      {field(
        'after_step_number',
        'After routing step number (0 = before the first)',
        <Input id="after_step_number" type="number" min={0} value={values.after_step_number} onChange={set('after_step_number')} />,
        true,
      )}
      {field('operation', 'Operation', <Input id="operation" value={values.operation} onChange={set('operation')} />, true)}
      {field(
        'work_center_id',
        'Work center',
        <Select
          inputId="work_center_id"
          options={centers}
          value={centers.find((c) => c.value === values.work_center_id) ?? null}
          onChange={(o: Option | null) => setValues({ ...values, work_center_id: o?.value ?? '' })}
        />,
      )}
      {field('instructions', 'Instructions', <TextArea id="instructions" width="100%" value={values.instructions} onChange={set('instructions')} />)}
      {field(
        'estimated_hours',
        'Estimated hours',
        <Input id="estimated_hours" type="number" step="0.25" min={0} value={values.estimated_hours} onChange={set('estimated_hours')} />,
      )}
      {field(
        'reason',
        'Reason for adding it (at least 3 characters)',
        <TextArea id="reason" width="100%" value={values.reason} onChange={set('reason')} />,
        true,
      )}
      {error ? <MessageBox variant="danger" message={error} mb="lg" role="alert" /> : null}
      <Text fontSize="sm" color="grey60" mb="lg">
        Added by you; the step, its reason and who added it are kept in the traveler’s history.
      </Text>
      <Button type="submit" variant="contained" disabled={busy}>
        {locked ? 'Ask for approval' : 'Add step'}
      </Button>
    </Box>
  );
};

export default AddManualStep;
