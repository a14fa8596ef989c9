import React, { useEffect, useState } from 'react';
import { Box, Button, H4, Link, Loader, MessageBox, Table, TableBody, TableCell, TableRow, Text } from '@adminjs/design-system';
import type { WorkOrderTravelers } from '../../../records/record-children.service.js';
import { listUrl, recordUrl } from '../panel-urls.js';
import { getJson } from './children-api.js';
import { ColumnHeaders, StatusBadge } from './children-table.js';

const COLUMNS = ['Traveler', 'Status', 'Quantity', 'Revision', 'Steps signed off', 'Due'] as const;

/** A work order's travelers, with where each stands, and "Create traveler" where it may be used. */
export const WorkOrderTravelersList: React.FC<{ workOrderId: string }> = ({ workOrderId }) => {
  const [data, setData] = useState<WorkOrderTravelers | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    getJson<WorkOrderTravelers>(`work_orders/${workOrderId}`)
      .then(({ ok, body }) => (ok ? setData(body) : setLoadError(body.error ?? 'The travelers could not be loaded.')))
      .catch(() => setLoadError('The travelers could not be loaded.'));
  }, [workOrderId]);

  if (loadError) return <MessageBox variant="danger" message={loadError} mb="xl" />;
  if (!data) return <Loader />;
  return (
    <Box mb="xl" data-testid="work-order-travelers">
      <H4 mb="sm">Travelers</H4>
      <Text mb="sm" color="grey60">
        {data.workOrder.quantity - data.remainingQuantity} of {data.workOrder.quantity} on travelers, {data.remainingQuantity} not yet.
      </Text>
      {data.travelers.length ? (
        <Table mb="lg">
          <ColumnHeaders columns={COLUMNS} />
          <TableBody>
            {data.travelers.map((t) => (
              <TableRow key={t.id} data-testid={`work-order-traveler-${t.number}`}>
                <TableCell>
                  <Link href={recordUrl('travelers', t.id)} style={{ whiteSpace: 'nowrap' }}>
                    {t.number}
                  </Link>
                </TableCell>
                <TableCell>
                  <StatusBadge status={t.status} />
                </TableCell>
                <TableCell>{t.quantity}</TableCell>
                <TableCell style={{ whiteSpace: 'nowrap' }}>{t.revision}</TableCell>
                <TableCell>
                  {t.steps_done} of {t.steps}
                </TableCell>
                <TableCell>{t.due_date ?? '—'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <Text mb="lg">No travelers yet.</Text>
      )}
      {data.more ? (
        <Text mb="lg">
          <Link href={listUrl('travelers', `filters.work_order_id=${data.workOrder.id}`)}>All travelers of {data.workOrder.number}</Link>
        </Text>
      ) : null}
      {data.may.createTraveler ? (
        <Button as="a" href={recordUrl('work_orders', data.workOrder.id, 'createTraveler')} variant="contained" data-testid="children-create-traveler">
          + Create traveler
        </Button>
      ) : null}
    </Box>
  );
};
