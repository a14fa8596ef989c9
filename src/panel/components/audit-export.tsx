import React, { useEffect, useMemo, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { DrawerContent, H3, MessageBox, Text } from '@adminjs/design-system';
import { ExportButtons, ExportFilters, type ShownFilter } from './export-drawer.js';
import { listUrl, panelUrl } from './panel-urls.js';

const api = new ApiClient();

/**
 * "Export CSV" over the audit log list: downloads the rows the list's current filters select.
 * The filters come from the page address (the drawer opens with the list's query string); the
 * file itself comes from the server route /admin/exports/audit-logs.csv, which records the export.
 */
const AuditExport: React.FC<ActionProps> = ({ resource }) => {
  const filters = useMemo(() => {
    const params = new URLSearchParams(window.location.search);
    const only = new URLSearchParams();
    params.forEach((value, key) => {
      if (key.startsWith('filters.') && value !== '') only.append(key, value);
    });
    return only;
  }, []);
  const [rowCount, setRowCount] = useState<number | null | undefined>(undefined);
  const [problem, setProblem] = useState<string | null>(null);
  // The filters as people read them (record type, record, user by name, times with the zone), from the server.
  const [described, setDescribed] = useState<ShownFilter[] | null>(null);

  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'exportCsv', params: filters })
      .then((response) => {
        const data = response.data as unknown as { rowCount: number | null; filters?: ShownFilter[]; notice?: { message: string } };
        setRowCount(data.rowCount);
        if (data.filters) setDescribed(data.filters);
        if (data.notice) setProblem(data.notice.message);
      })
      .catch(() => setProblem('The number of rows could not be counted.'));
  }, [resource.id, filters]);

  const query = filters.toString();
  const href = `${panelUrl('/exports/audit-logs.csv')}${query ? `?${query}` : ''}`;
  const listHref = listUrl(resource.id, query);
  // Until the server has named them (or when it refused them), the filters as the address gives them.
  const shownFilters: ShownFilter[] = described ?? [...filters.entries()].map(([key, value]) => ({ name: key.slice('filters.'.length), value }));

  return (
    <DrawerContent data-testid="audit-export">
      <H3>Export the audit log as CSV</H3>
      <ExportFilters filters={shownFilters} whole="the whole audit trail" testId="audit-export" />
      {problem && <MessageBox variant="danger" message={problem} mb="lg" />}
      {rowCount !== undefined && rowCount !== null && (
        <Text mb="lg">
          {rowCount} row{rowCount === 1 ? '' : 's'} match now; the file holds exactly the rows that match when it is made. The export itself is recorded in the
          audit trail.
        </Text>
      )}
      {rowCount !== undefined && rowCount !== null && (
        <Text mb="lg" color="grey60">
          Each row is given as people read it (times in shop time with the zone, labels, Yes/No, record titles, user names) and, in the columns after it,
          exactly as recorded (UTC times, codes, ids).
        </Text>
      )}
      <ExportButtons href={href} listHref={listHref} testId="audit-export" />
    </DrawerContent>
  );
};

export default AuditExport;
