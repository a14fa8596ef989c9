import React, { useEffect, useMemo, useState } from 'react';
import { ApiClient, useTranslation, type ActionProps } from 'adminjs';
import { DrawerContent, H3, Loader, MessageBox, Text } from '@adminjs/design-system';
import { ExportButtons, ExportFilters, type ShownFilter } from './export-drawer.js';
import { listUrl } from './panel-urls.js';

const api = new ApiClient();

// The shape sent by src/resources/list-export.action.ts.
interface Preview {
  rowCount: number;
  estimated: false | 'table' | 'filtered';
  filters: ShownFilter[];
  downloadHref: string;
}

/**
 * "Export CSV" over a list: says which of the list's filters, search and order the file follows
 * and how many rows match, and downloads it. The query comes from the page address (the drawer
 * opens with the list's query string); the file is streamed by GET /admin/exports/lists/<list>.csv.
 */
const ListExport: React.FC<ActionProps> = ({ resource }) => {
  const { translateLabel } = useTranslation();
  const query = useMemo(() => {
    const kept = new URLSearchParams();
    new URLSearchParams(window.location.search).forEach((value, key) => {
      if ((key.startsWith('filters.') || key === 'sortBy' || key === 'direction') && value !== '') kept.append(key, value);
    });
    return kept;
  }, []);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    api
      .resourceAction({ resourceId: resource.id, actionName: 'exportCsv', params: query })
      .then((response) => setPreview(response.data as unknown as Preview))
      .catch((error: { response?: { data?: { error?: string } } }) =>
        setProblem(error.response?.data?.error ?? 'The rows could not be counted: the list’s filters may be wrong.'),
      );
  }, [resource.id, query]);

  const listHref = listUrl(resource.id, query.toString());
  const about = preview?.estimated === 'table' ? 'About ' : preview?.estimated === 'filtered' ? 'More than ' : '';

  return (
    <DrawerContent data-testid="list-export">
      <H3>Export {translateLabel(resource.id, resource.id)} as CSV</H3>
      {problem && <MessageBox variant="danger" message={problem} mb="lg" role="alert" />}
      {!preview && !problem && <Loader />}
      {preview && (
        <>
          <ExportFilters filters={preview.filters} whole="the whole list" testId="list-export" />
          <Text mb="lg" role="status" data-testid="list-export-count">
            {about}
            {preview.rowCount.toLocaleString('en-US')} {preview.rowCount === 1 ? 'row matches' : 'rows match'} now; the file holds exactly the rows that match
            when it is made, in the list’s order. The export is recorded in the audit trail.
          </Text>
          <ExportButtons href={preview.downloadHref} listHref={listHref} testId="list-export" />
        </>
      )}
    </DrawerContent>
  );
};

export default ListExport;
