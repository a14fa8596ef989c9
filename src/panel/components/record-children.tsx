import React, { useCallback, useEffect, useRef, useState } from 'react';
import { Badge, Box, Button, H4, Input, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { listUrl, panelUrl, recordUrl } from './panel-urls.js';

import type { PartRevisions, WorkOrderTravelers } from '../../records/record-children.service.js';

interface Props {
  record: { id: string };
  resource: { id: string };
}

const API = panelUrl('/api/children');
const errorText: React.CSSProperties = { color: '#b91c1c', fontSize: 12, marginTop: 2, display: 'block' };
const th: React.CSSProperties = { textAlign: 'left', whiteSpace: 'nowrap' };
// The panel's status colours (value-badge.tsx): white text at a contrast of at least 6.5:1.
const STATUS_COLOURS: Record<string, string> = {
  draft: '#4b5563',
  released: '#1d4ed8',
  obsolete: '#991b1b',
  in_progress: '#92400e',
  on_hold: '#9a3412',
  completed: '#166534',
  cancelled: '#991b1b',
};

const StatusBadge: React.FC<{ status: string }> = ({ status }) => {
  const colour = STATUS_COLOURS[status] ?? '#4b5563';
  return (
    <Badge style={{ backgroundColor: colour, borderColor: colour, color: '#ffffff', whiteSpace: 'nowrap' }} data-value={status}>
      {status.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())}
    </Badge>
  );
};

async function getJson<T>(path: string): Promise<{ ok: boolean; body: T & { error?: string } }> {
  const response = await fetch(`${API}/${path}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return { ok: response.ok, body: (await response.json().catch(() => ({}))) as T & { error?: string } };
}

/** A part's revisions, newest first, with a row that adds a draft revision in place. */
const PartRevisionsList: React.FC<{ partId: string }> = ({ partId }) => {
  const [data, setData] = useState<PartRevisions | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState({ revision_code: '', notes: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ type: 'success' | 'info' | 'error'; message: string; link?: string; linkText?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      const { ok, body } = await getJson<PartRevisions>(`parts/${partId}`);
      if (ok) setData(body);
      else setLoadError(body.error ?? 'The revisions could not be loaded.');
    } catch {
      setLoadError('The revisions could not be loaded.');
    }
  }, [partId]);

  useEffect(() => {
    void load();
  }, [load]);

  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const response = await fetch(`${API}/parts/${partId}/revisions`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(draft),
      });
      const body = (await response.json().catch(() => ({}))) as {
        id?: number;
        message?: string;
        error?: string;
        fields?: Record<string, string>;
        approvalId?: number;
      };
      if (response.status === 201) {
        setErrors({});
        setDraft({ revision_code: '', notes: '' });
        setOutcome({
          type: 'success',
          message: body.message ?? 'Revision added.',
          link: recordUrl('revisions', String(body.id)),
          linkText: 'Open it to write its routing',
        });
        await load();
        codeRef.current?.focus();
      } else if (response.status === 202) {
        setErrors({});
        setOutcome({
          type: 'info',
          message: body.message ?? 'Submitted for approval.',
          link: recordUrl('approvals', String(body.approvalId)),
          linkText: `Open request #${body.approvalId}`,
        });
      } else {
        setErrors(body.fields ?? {});
        setOutcome({ type: 'error', message: `Not saved: ${Object.values(body.fields ?? {}).join(' ') || body.error || 'the change was refused.'}` });
      }
    } catch {
      setOutcome({ type: 'error', message: 'NEXUS could not be reached: nothing was saved.' });
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <MessageBox variant="danger" message={loadError} mb="xl" />;
  if (!data) return <Loader />;
  return (
    <Box mb="xl" data-testid="part-revisions">
      <H4 mb="sm">Revisions</H4>
      {data.revisions.length ? (
        <Table mb="lg">
          <TableHead>
            <TableRow>
              <TableCell as="th" scope="col" style={th}>
                Revision
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Status
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Effective
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Routing
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Notes
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.revisions.map((r) => (
              <TableRow key={r.id} data-testid={`part-revision-${r.revision_code}`}>
                <TableCell>
                  <Link href={recordUrl('revisions', r.id)}>
                    {data.part.part_number} rev {r.revision_code}
                  </Link>
                </TableCell>
                <TableCell>
                  <StatusBadge status={r.status} />
                </TableCell>
                <TableCell>{r.effective_date ?? '—'}</TableCell>
                <TableCell>
                  {r.steps} step{r.steps === 1 ? '' : 's'}, {r.checks} check{r.checks === 1 ? '' : 's'}
                </TableCell>
                <TableCell>{r.notes ?? ''}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      ) : (
        <Text mb="lg">No revisions yet.</Text>
      )}
      {data.may.addRevision ? (
        <Box variant="card" p="lg" style={{ border: '1px dashed #9ca3af' }}>
          <form
            onSubmit={(e) => void add(e)}
            style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start' }}
            aria-label="Add a revision"
            data-testid="add-revision"
          >
            <span>
              <label htmlFor="add-revision-code" style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
                New revision
              </label>
              <Input
                id="add-revision-code"
                ref={codeRef}
                value={draft.revision_code}
                style={{ width: 90 }}
                aria-invalid={!!errors.revision_code}
                aria-describedby={errors.revision_code ? 'add-revision-code-error' : undefined}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => setDraft((d) => ({ ...d, revision_code: e.target.value }))}
              />
              {errors.revision_code ? (
                <span id="add-revision-code-error" style={errorText}>
                  {errors.revision_code}
                </span>
              ) : null}
            </span>
            <span>
              <label htmlFor="add-revision-notes" style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
                Notes (the change, e.g. ECO number)
              </label>
              <Input
                id="add-revision-notes"
                value={draft.notes}
                style={{ width: 360 }}
                aria-invalid={!!errors.notes}
                aria-describedby={errors.notes ? 'add-revision-notes-error' : undefined}
                onChange={(e: React.ChangeEvent<HTMLInputElement>) => setDraft((d) => ({ ...d, notes: e.target.value }))}
              />
              {errors.notes ? (
                <span id="add-revision-notes-error" style={errorText}>
                  {errors.notes}
                </span>
              ) : null}
            </span>
            <span style={{ alignSelf: 'flex-end' }}>
              <Button type="submit" variant="contained" disabled={busy}>
                Add revision (draft)
              </Button>
            </span>
          </form>
          {outcome ? (
            <Box mt="sm" role={outcome.type === 'error' ? 'alert' : 'status'} data-testid="add-revision-outcome">
              <MessageBox variant={outcome.type === 'error' ? 'danger' : outcome.type} size="sm" message={outcome.message}>
                {outcome.link ? <Link href={outcome.link}>{outcome.linkText}</Link> : null}
              </MessageBox>
            </Box>
          ) : null}
        </Box>
      ) : null}
    </Box>
  );
};

/** A work order's travelers, with where each stands, and "Create traveler" where it may be used. */
const WorkOrderTravelersList: React.FC<{ workOrderId: string }> = ({ workOrderId }) => {
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
          <TableHead>
            <TableRow>
              <TableCell as="th" scope="col" style={th}>
                Traveler
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Status
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Quantity
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Revision
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Steps signed off
              </TableCell>
              <TableCell as="th" scope="col" style={th}>
                Due
              </TableCell>
            </TableRow>
          </TableHead>
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

/**
 * What belongs to a record, on its page: a part's revisions (with "add revision" in place) or a
 * work order's travelers (with "Create traveler"), from the children API (http/routes/routing.routes.ts).
 */
const RecordChildren: React.FC<Props> = ({ record, resource }) => {
  if (resource.id === 'parts') return <PartRevisionsList partId={record.id} />;
  if (resource.id === 'work_orders') return <WorkOrderTravelersList workOrderId={record.id} />;
  return null;
};

export default RecordChildren;
