import React, { useCallback, useEffect, useState } from 'react';
import { Box, H4, Link, Loader, MessageBox, Table, TableBody, TableCell, TableRow, Text } from '@adminjs/design-system';
import type { PartRevisions } from '../../../records/record-children.service.js';
import { recordUrl } from '../panel-urls.js';
import { AddRevisionForm } from './add-revision-form.js';
import { getJson } from './children-api.js';
import { ColumnHeaders, StatusBadge } from './children-table.js';

const COLUMNS = ['Revision', 'Status', 'Effective', 'Routing', 'Notes'] as const;

/** A part's revisions, newest first, with a row that adds a draft revision in place. */
export const PartRevisionsList: React.FC<{ partId: string }> = ({ partId }) => {
  const [data, setData] = useState<PartRevisions | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

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

  if (loadError) return <MessageBox variant="danger" message={loadError} mb="xl" />;
  if (!data) return <Loader />;
  return (
    <Box mb="xl" data-testid="part-revisions">
      <H4 mb="sm">Revisions</H4>
      {data.revisions.length ? (
        <Table mb="lg">
          <ColumnHeaders columns={COLUMNS} />
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
      {data.may.addRevision ? <AddRevisionForm partId={partId} onAdded={load} /> : null}
    </Box>
  );
};
