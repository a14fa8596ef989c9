import React from 'react';
import { Box, Button, Text } from '@adminjs/design-system';

/** The question asked in place before a step or a check is removed. */
export const ConfirmRemove: React.FC<{ what: string; testId: string; busy: boolean; onRemove: () => void; onKeep: () => void }> = ({
  what,
  testId,
  busy,
  onRemove,
  onKeep,
}) => (
  <Box mt="sm" p="sm" style={{ background: '#fef2f2', border: '1px solid #fecaca' }} role="alertdialog" aria-label={what} data-testid={testId}>
    <Text mb="sm">{what}</Text>
    <Button type="button" size="sm" variant="danger" mr="sm" disabled={busy} onClick={onRemove}>
      Remove
    </Button>
    <Button type="button" size="sm" variant="text" onClick={onKeep}>
      Keep
    </Button>
  </Box>
);
