import React from 'react';
import { Box, Button, Icon, Text } from '@adminjs/design-system';

/**
 * The parts of an "Export CSV" drawer that the audit log's and the lists' share: which filters
 * the file follows, and the download. `testId` prefixes the parts' test ids.
 */

/** One of the list's filters as people read it ("Status: on hold"). */
export interface ShownFilter {
  name: string;
  value: string;
}

/** The list's filters the file follows, or that it holds `whole` (e.g. "the whole list") without any. */
export const ExportFilters: React.FC<{ filters: readonly ShownFilter[]; whole: string; testId: string }> = ({ filters, whole, testId }) => (
  <Box mb="lg" data-testid={`${testId}-filters`}>
    {filters.length === 0 ? (
      <Text>No filter is set: the file holds {whole}.</Text>
    ) : (
      <>
        <Text mb="sm">With the list’s filters:</Text>
        {filters.map((f) => (
          <Text key={`${f.name}=${f.value}`} data-testid={`${testId}-filter`}>
            <strong>{f.name}</strong>: {f.value}
          </Text>
        ))}
      </>
    )}
  </Box>
);

/** Download the file, or go back to the list the drawer was opened over. */
export const ExportButtons: React.FC<{ href: string; listHref: string; testId: string }> = ({ href, listHref, testId }) => (
  <Box flex style={{ gap: 8, flexWrap: 'wrap' }}>
    <Button as="a" href={href} variant="contained" download data-testid={`${testId}-download`}>
      <Icon icon="Download" />
      Download CSV
    </Button>
    <Button as="a" href={listHref} variant="outlined">
      Back to the list
    </Button>
  </Box>
);
