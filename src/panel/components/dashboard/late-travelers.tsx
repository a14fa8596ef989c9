import React from 'react';
import { Badge, Link, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { recordUrl } from '../panel-urls.js';
import { LATE_TRAVELERS_HREF, statusLabel, type Summary } from './dashboard-format.js';

/** The most overdue travelers, and a link to all of them when there are more. */
export const LateTravelers: React.FC<{ list: Summary['lateTravelers']; total: number }> = ({ list, total }) =>
  list.length === 0 ? (
    <Text color="grey60" data-testid="late-travelers-empty">
      Nothing is late.
    </Text>
  ) : (
    <>
      <Table data-testid="late-travelers" style={{ width: '100%' }}>
        <TableHead>
          <TableRow>
            <TableCell>Traveler</TableCell>
            <TableCell>Customer</TableCell>
            <TableCell>Part</TableCell>
            <TableCell>Due</TableCell>
            <TableCell>Late by</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {list.map((t) => (
            <TableRow key={t.id} data-testid="late-traveler">
              <TableCell>
                <Link href={recordUrl('travelers', t.id)}>{t.number}</Link>
              </TableCell>
              <TableCell>{t.customer_name}</TableCell>
              <TableCell>{t.part_number}</TableCell>
              <TableCell>{t.due_date}</TableCell>
              <TableCell>
                <Badge variant="danger" size="sm">
                  {t.days_late} {t.days_late === 1 ? 'day' : 'days'}
                </Badge>
              </TableCell>
              <TableCell>{statusLabel(t.status)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {total > list.length && (
        <Text mt="md" fontSize="sm" color="grey60">
          The {list.length} most overdue of {total} late travelers.{' '}
          <Link href={LATE_TRAVELERS_HREF} data-testid="all-late-travelers">
            See all {total}
          </Link>
        </Text>
      )}
    </>
  );
