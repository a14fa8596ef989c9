import React, { useEffect } from 'react';
import { useLocation } from 'react-router';
import { RecordsTable, useQueryParams, useRecords, useSelectedRecords, type ActionProps } from 'adminjs';
import { Box, Button, Icon, Text } from '@adminjs/design-system';

const MAX_PAGE_BUTTONS = 10;

/** The page numbers to offer around the current one (what jw-paginate gives AdminJS's Pagination). */
function pageWindow(current: number, totalPages: number): number[] {
  let start = Math.max(1, current - Math.floor(MAX_PAGE_BUTTONS / 2));
  const end = Math.min(totalPages, start + MAX_PAGE_BUTTONS - 1);
  start = Math.max(1, end - MAX_PAGE_BUTTONS + 1);
  return Array.from({ length: end - start + 1 }, (_, i) => start + i);
}

interface PagesProps {
  page: number;
  perPage: number;
  total: number;
  onChange: (page: number) => void;
}

/**
 * Paging under a list. AdminJS's Pagination draws first/previous/next/last as buttons holding
 * only an icon, so a screen reader says "button" four times; here each says where it goes, the
 * current page is marked as such, and the ones that would go nowhere are disabled.
 */
const Pages: React.FC<PagesProps> = ({ page, perPage, total, onChange }) => {
  const totalPages = Math.max(1, Math.ceil(total / Math.max(1, perPage)));
  const current = Math.min(Math.max(1, page || 1), totalPages);
  if (totalPages === 1) return null;
  const step = (label: string, icon: string, to: number, testId: string) => (
    <Button type="button" variant="text" size="icon" aria-label={label} data-testid={testId} disabled={to === current} onClick={() => onChange(to)}>
      <Icon icon={icon} />
    </Button>
  );
  return (
    <Box as="nav" aria-label="Pages" className="adminjs_Pagination" display="inline-flex" style={{ gap: 2, alignItems: 'center' }}>
      {step('First page', 'SkipBack', 1, 'first')}
      {step('Previous page', 'ChevronLeft', current - 1 || 1, 'previous')}
      {pageWindow(current, totalPages).map((p) => (
        <Button
          key={p}
          type="button"
          size="sm"
          variant={p === current ? 'contained' : 'text'}
          aria-label={`Page ${p}`}
          aria-current={p === current ? 'page' : undefined}
          data-testid={`page-${p}`}
          onClick={() => onChange(p)}
        >
          {p}
        </Button>
      ))}
      {step('Next page', 'ChevronRight', Math.min(current + 1, totalPages), 'next')}
      {step('Last page', 'SkipForward', totalPages, 'last')}
    </Box>
  );
};

/**
 * A resource's list (AdminJS's DefaultListAction, adminjs 7.8) with the paging above in place of
 * its Pagination. Everything else is AdminJS's: the records table (our header and row overrides),
 * selection, refresh after an action.
 */
const List: React.FC<ActionProps> = ({ resource, setTag }) => {
  const { records, loading, direction, sortBy, page, total, fetchData, perPage } = useRecords(resource.id);
  const { selectedRecords, handleSelect, handleSelectAll, setSelectedRecords } = useSelectedRecords(records);
  const location = useLocation();
  const { storeParams } = useQueryParams();

  useEffect(() => {
    if (setTag) setTag(total.toString());
  }, [total]);

  useEffect(() => {
    setSelectedRecords([]);
  }, [resource.id]);

  useEffect(() => {
    const search = new URLSearchParams(location.search);
    if (search.get('refresh')) {
      setSelectedRecords([]);
    } else {
      const recordIds = search.get('recordIds')?.split(',') ?? [];
      setSelectedRecords(records.filter((r) => recordIds.includes(r.id.toString())));
    }
  }, [location.search, records]);

  return (
    <Box variant="container" data-css={`${resource.id}-list-table-wrapper`}>
      <RecordsTable
        resource={resource}
        records={records}
        actionPerformed={() => fetchData()}
        onSelect={handleSelect}
        onSelectAll={handleSelectAll}
        selectedRecords={selectedRecords}
        direction={direction}
        sortBy={sortBy}
        isLoading={loading}
      />
      <Text mt="xl" textAlign="center">
        <Pages page={page} perPage={perPage} total={total} onChange={(p) => storeParams({ page: p.toString() })} />
      </Text>
    </Box>
  );
};

export default List;
