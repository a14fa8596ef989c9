import React, { useEffect, useMemo, useState } from 'react';
import { ApiClient, type ActionProps } from 'adminjs';
import { Box, Button, DrawerContent, H3, Icon, MessageBox, Text } from '@adminjs/design-system';
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
  const [described, setDescribed] = useState<Array<{ name: string; value: string }> | null>(null);

  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'exportCsv', params: filters })
      .then((response) => {
        const data = response.data as unknown as { rowCount: number | null; filters?: Array<{ name: string; value: string }>; notice?: { message: string } };
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
  const shownFilters: Array<readonly [string, string]> =
    described?.map((f) => [f.name, f.value] as const) ?? [...filters.entries()].map(([key, value]) => [key.slice('filters.'.length), value] as const);

  return (
    <DrawerContent data-testid="audit-export">
      <H3>Export the audit log as CSV</H3>
      <Box mb="lg">
        {shownFilters.length === 0 ? (
          <Text>No filter is set: the export holds the whole audit trail.</Text>
        ) : (
          <>
            <Text mb="sm">With the list’s filters:</Text>
            {shownFilters.map(([name, value]) => (
              <Text key={`${name}=${value}`} data-testid="audit-export-filter">
                <strong>{name}</strong>: {value}
              </Text>
            ))}
          </>
        )}
      </Box>
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
      <Box flex style={{ gap: 8 }}>
        <Button as="a" href={href} variant="contained" download data-testid="audit-export-download">
          <Icon icon="Download" />
          Download CSV
        </Button>
        <Button as="a" href={listHref} variant="outlined">
          Back to the list
        </Button>
      </Box>
    </DrawerContent>
  );
};

export default AuditExport;
