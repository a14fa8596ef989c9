import React from 'react';
import { Box, Button, H3, Text } from '@adminjs/design-system';
import { panelUrl } from './panel-urls.js';

interface Props {
  record: { id: string; params: Record<string, unknown> };
}

/** The printable traveler is a page of its own (so the browser prints it alone); shown here and opened in a tab. */
const TravelerPrint: React.FC<Props> = ({ record }) => {
  const url = panelUrl(`/travelers/${record.id}/print`);
  return (
    <Box variant="card" p="xl" data-testid="traveler-print">
      <H3>Printable traveler {String(record.params.number ?? '')}</H3>
      <Text mb="lg">Opens the print-ready traveler; print it or save it as PDF from the browser’s print dialog.</Text>
      <Button as="a" href={url} target="_blank" rel="noopener" variant="contained" mb="lg">
        Open print view
      </Button>
      <Box as="iframe" src={url} title="Printable traveler" style={{ width: '100%', height: '75vh', border: '1px solid #ddd' }} />
    </Box>
  );
};

export default TravelerPrint;
