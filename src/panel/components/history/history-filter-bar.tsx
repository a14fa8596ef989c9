import React, { useEffect, useState } from 'react';
import { Box, Button, Input, Label, Text } from '@adminjs/design-system';
import type { HistoryFacets as Facets } from '../../../audit/audit-history.service.js';
import { COLORS } from './history-colors.js';

export interface FilterValues {
  field: string;
  user: string;
  from: string;
  to: string;
}

const NO_FILTER: FilterValues = { field: '', user: '', from: '', to: '' };

/** The filter a link to the History carries. */
export function filterFromAddress(): FilterValues {
  const params = new URLSearchParams(window.location.search);
  return { field: params.get('field') ?? '', user: params.get('user') ?? '', from: params.get('from') ?? '', to: params.get('to') ?? '' };
}

/** The filter as the History's query string (and address). */
export function queryOf(values: FilterValues): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value) params.set(key, value);
  return params.toString();
}

const selectStyle: React.CSSProperties = {
  height: 36,
  minWidth: 200,
  padding: '0 8px',
  border: '1px solid #c0c0ca',
  borderRadius: 4,
  background: '#fff',
  font: 'inherit',
};

/** Narrow the History to one field, one person, a span of days; the server applies and checks it. */
export const HistoryFilterBar: React.FC<{ facets?: Facets; values: FilterValues; problem: string | null; onApply: (values: FilterValues) => void }> = ({
  facets,
  values,
  problem,
  onApply,
}) => {
  const [draft, setDraft] = useState<FilterValues>(values);
  useEffect(() => setDraft(values), [values]);
  const set = (key: keyof FilterValues) => (event: React.ChangeEvent<HTMLInputElement | HTMLSelectElement>) =>
    setDraft({ ...draft, [key]: event.target.value });
  const active = Object.values(values).some(Boolean);
  return (
    <Box
      as="form"
      role="search"
      aria-label="Filter the history"
      data-testid="history-filter"
      mb="lg"
      onSubmit={(event: React.FormEvent) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      <Box flex flexWrap="wrap" alignItems="flex-end" style={{ gap: 12 }}>
        <Box>
          <Label htmlFor="history-filter-field">Field</Label>
          <select id="history-filter-field" style={selectStyle} value={draft.field} onChange={set('field')}>
            <option value="">Every field</option>
            {(facets?.fields ?? []).map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
            {draft.field && !facets?.fields.some((f) => f.value === draft.field) && <option value={draft.field}>{draft.field}</option>}
          </select>
        </Box>
        <Box>
          <Label htmlFor="history-filter-user">Changed by</Label>
          <select id="history-filter-user" style={selectStyle} value={draft.user} onChange={set('user')}>
            <option value="">Anyone</option>
            {(facets?.users ?? []).map((u) => (
              <option key={u.value} value={u.value}>
                {u.label}
              </option>
            ))}
            {draft.user && !facets?.users.some((u) => u.value === draft.user) && <option value={draft.user}>{draft.user}</option>}
          </select>
        </Box>
        <Box>
          <Label htmlFor="history-filter-from">From (day)</Label>
          <Input id="history-filter-from" type="date" value={draft.from} onChange={set('from')} aria-invalid={problem ? true : undefined} />
        </Box>
        <Box>
          <Label htmlFor="history-filter-to">To (day, included)</Label>
          <Input id="history-filter-to" type="date" value={draft.to} onChange={set('to')} aria-invalid={problem ? true : undefined} />
        </Box>
        <Box flex style={{ gap: 8 }}>
          <Button type="submit" variant="contained" size="sm" data-testid="history-filter-apply">
            Apply
          </Button>
          {active && (
            <Button type="button" variant="outlined" size="sm" onClick={() => onApply(NO_FILTER)}>
              Clear
            </Button>
          )}
        </Box>
      </Box>
      {problem && (
        <Text role="alert" mt="sm" style={{ color: COLORS.removed }} data-testid="history-filter-error">
          {problem}
        </Text>
      )}
    </Box>
  );
};
