import React, { useCallback, useEffect, useState } from 'react';
import { ApiClient, useCurrentAdmin } from 'adminjs';
import { Badge, Box, H4, Link, Loader, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { canRecordDisposition, type SessionUser } from '../../auth/access-rules.js';
import DispositionQueue from './disposition-queue.js';
import { panelUrl, recordUrl } from './panel-urls.js';

// The shapes sent by src/travelers/traveler-print.service.ts (dates arrive as ISO strings).
interface Check {
  id: number;
  sequence: number;
  description: string;
  measured_value: number | null;
  out_of_limits: boolean;
  completed_at: string | null;
  disposition: string | null;
}
interface Step {
  kind: 'routing' | 'manual';
  id: number;
  step_number?: number;
  after_step_number?: number;
  operation: string;
  work_center: { code: string } | null;
  is_parallel?: boolean;
  status: 'pending' | 'in_progress' | 'completed';
  completed_at: string | null;
  completed_by: string | null;
  sub_steps?: Check[];
  reason?: string;
}
interface Overview {
  steps: Step[];
  labor: { total: { estimated_hours: number; actual_hours: number } };
}

interface Props {
  record: { id: string };
}

const api = new ApiClient();
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
const STATUS: Record<Step['status'], { label: string; variant: 'default' | 'info' | 'success' }> = {
  pending: { label: 'Pending', variant: 'default' },
  in_progress: { label: 'In progress', variant: 'info' },
  completed: { label: 'Signed off', variant: 'success' },
};

function checksSummary(checks: Check[] = []): React.ReactNode {
  if (!checks.length) return <Text color="grey60">none</Text>;
  const done = checks.filter((c) => c.completed_at).length;
  const open = checks.filter((c) => c.out_of_limits && !c.disposition);
  return (
    <>
      {done} of {checks.length} done
      {open.length ? (
        <Badge variant="danger" ml="sm">
          {open.length} out of limits, awaiting disposition
        </Badge>
      ) : null}
      {checks.some((c) => c.out_of_limits && c.disposition) ? (
        <Badge variant="secondary" ml="sm">
          dispositioned
        </Badge>
      ) : null}
    </>
  );
}

/**
 * The traveler's own steps on its page: where work stands, who signed what and when. Each row
 * opens the step, whose actions start it, record its checks and sign it off. Quality also finds
 * here the traveler's checks awaiting a disposition, each with its Disposition form.
 */
const TravelerSteps: React.FC<Props> = ({ record }) => {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [failed, setFailed] = useState(false);
  const [currentAdmin] = useCurrentAdmin();
  const quality = canRecordDisposition(currentAdmin as unknown as SessionUser | null);

  const load = useCallback(() => {
    api
      .recordAction({ resourceId: 'travelers', recordId: record.id, actionName: 'stepsOverview' })
      .then((response) => setOverview((response.data as unknown as { overview: Overview }).overview))
      .catch(() => setFailed(true));
  }, [record.id]);

  useEffect(() => {
    load();
  }, [load]);

  if (failed) return <Text color="error">The steps could not be loaded.</Text>;
  if (!overview) return <Loader />;
  return (
    <Box mb="xl" data-testid="traveler-steps">
      <H4>Steps</H4>
      <Table>
        <TableHead>
          <TableRow>
            <TableCell>Step</TableCell>
            <TableCell>Operation</TableCell>
            <TableCell>Work center</TableCell>
            <TableCell>Status</TableCell>
            <TableCell>Checks</TableCell>
            <TableCell>Signed off</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {overview.steps.map((step) => {
            const resource = step.kind === 'routing' ? 'traveler_steps' : 'manual_steps';
            const position = step.kind === 'routing' ? `${step.step_number}${step.is_parallel ? ' ∥' : ''}` : `+ after ${step.after_step_number}`;
            return (
              <TableRow key={`${step.kind}-${step.id}`} data-testid={`traveler-step-${step.kind}-${step.id}`}>
                <TableCell>{position}</TableCell>
                <TableCell>
                  <Link href={recordUrl(resource, step.id)}>{step.operation}</Link>
                  {step.kind === 'manual' ? (
                    <Text fontSize="sm" color="grey60">
                      Added by hand: {step.reason}
                    </Text>
                  ) : null}
                </TableCell>
                <TableCell>{step.work_center?.code ?? '—'}</TableCell>
                <TableCell>
                  <Badge variant={STATUS[step.status].variant}>{STATUS[step.status].label}</Badge>
                </TableCell>
                <TableCell>{step.kind === 'routing' ? checksSummary(step.sub_steps) : '—'}</TableCell>
                <TableCell>{step.completed_at ? `${step.completed_by ?? ''}, ${when(step.completed_at)}` : '—'}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      <Text mt="default" fontSize="sm" color="grey60">
        Labor: {overview.labor.total.actual_hours} h recorded against {overview.labor.total.estimated_hours} h estimated.{' '}
        <Link href={panelUrl(`/travelers/${record.id}/print`)} target="_blank" rel="noopener">
          Printable traveler
        </Link>
      </Text>
      {/* Only quality decides: nobody else's page asks for the queue (it would be refused). */}
      {quality ? (
        <Box mt="xl">
          <DispositionQueue travelerId={record.id} onDecided={() => load()} />
        </Box>
      ) : null}
    </Box>
  );
};

export default TravelerSteps;
