import React, { useState } from 'react';
import { useActionPlan } from './use-action-plan.js';
import { useActionPost } from './use-action-post.js';
import {
  Box,
  Button,
  FormGroup,
  FormMessage,
  H3,
  Input,
  Label,
  Loader,
  MessageBox,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Text,
  TextArea,
} from '@adminjs/design-system';

// The shape sent by src/travelers/traveler-creation.service.ts (TravelerPlan).
interface Plan {
  workOrder: { id: number; number: string; status: string; quantity: number };
  customer: { code: string; name: string };
  part: { part_number: string; description: string | null };
  revision: { revision_code: string } | null;
  remainingQuantity: number;
  dueDate: string | null;
  steps: Array<{ step_number: number; operation: string; work_center: string; estimated_hours: number; is_parallel: boolean; checks: number }>;
  refusal: string | null;
}

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string };
}

/** "Create traveler" on a work order: what will be filled in and copied, then one button. */
const CreateTraveler: React.FC<Props> = ({ record, resource, action }) => {
  const [quantity, setQuantity] = useState('');
  const [notes, setNotes] = useState('');
  const { post, errors, error, busy } = useActionPost(
    { resourceId: resource.id, recordId: record.id, actionName: action.name },
    'The traveler could not be created.',
  );

  const { plan, loadError } = useActionPlan<Plan>({ resourceId: resource.id, recordId: record.id, actionName: action.name }, (p) =>
    setQuantity(String(p.remainingQuantity)),
  );

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await post({ quantity, notes });
  };

  if (loadError) return <MessageBox variant="danger" message={`This form could not be loaded (${loadError}). Reload the page to try again.`} />;
  if (!plan) return <Loader />;
  const row = (label: string, value: React.ReactNode) => (
    <TableRow>
      <TableCell as="th" scope="row" style={{ width: '30%', textAlign: 'left' }}>
        <Text fontWeight="bold">{label}</Text>
      </TableCell>
      <TableCell>{value}</TableCell>
    </TableRow>
  );
  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="create-traveler">
      <H3>New traveler from work order {plan.workOrder.number}</H3>
      {plan.refusal ? <MessageBox variant="danger" mb="lg" message={plan.refusal} data-testid="create-traveler-refusal" role="alert" /> : null}
      <Table mb="xl">
        <TableBody>
          {row('Customer', `${plan.customer.name} (${plan.customer.code})`)}
          {row('Part', `${plan.part.part_number}${plan.part.description ? ` — ${plan.part.description}` : ''}`)}
          {row('Revision', plan.revision ? `${plan.revision.revision_code} (released)` : 'none released')}
          {row('Due date', plan.dueDate ?? 'not set')}
          {row('Work order quantity', `${plan.workOrder.quantity} (${plan.remainingQuantity} not yet on a traveler)`)}
        </TableBody>
      </Table>
      {plan.steps.length ? (
        <>
          <Text fontWeight="bold" mb="sm">
            Routing copied into the traveler ({plan.steps.length} steps)
          </Text>
          <Table mb="xl">
            <TableHead>
              <TableRow>
                {['Step', 'Operation', 'Work center', 'Est. hours', 'Checks'].map((name) => (
                  <TableCell key={name} as="th" scope="col" style={{ textAlign: 'left' }}>
                    {name}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {plan.steps.map((s) => (
                <TableRow key={s.step_number}>
                  <TableCell>
                    {s.step_number}
                    {s.is_parallel ? ' (parallel)' : ''}
                  </TableCell>
                  <TableCell>{s.operation}</TableCell>
                  <TableCell>{s.work_center}</TableCell>
                  <TableCell>{s.estimated_hours}</TableCell>
                  <TableCell>{s.checks}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
      {plan.refusal ? null : (
        <>
          <FormGroup error={!!errors.quantity}>
            <Label htmlFor="quantity" required>
              Quantity on this traveler
            </Label>
            <Input
              id="quantity"
              type="number"
              min={1}
              max={plan.remainingQuantity}
              value={quantity}
              aria-invalid={errors.quantity ? true : undefined}
              aria-describedby={errors.quantity ? 'quantity-error' : undefined}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setQuantity(e.target.value)}
            />
            <FormMessage id="quantity-error" role={errors.quantity ? 'alert' : undefined}>
              {errors.quantity?.message}
            </FormMessage>
          </FormGroup>
          <FormGroup>
            <Label htmlFor="notes">Notes</Label>
            <TextArea id="notes" width="100%" value={notes} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setNotes(e.target.value)} />
          </FormGroup>
          {error ? <MessageBox variant="danger" message={error} mb="lg" role="alert" /> : null}
          <Button type="submit" variant="contained" disabled={busy}>
            Create traveler (draft)
          </Button>
        </>
      )}
    </Box>
  );
};

export default CreateTraveler;
