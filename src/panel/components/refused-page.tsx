import React from 'react';
import { Box, H2, Link, Text } from '@adminjs/design-system';

/** The answer of GET /admin/api/refusals/… (src/http/routes/refusal.routes.ts). */
export type RouteVerdict = { state: 'allowed' } | { state: 'refused' | 'missing' | 'unavailable'; what: string; why: string };

const HEADINGS = {
  refused: 'You may not do this',
  missing: 'There is no such page',
  unavailable: 'This is not possible now',
} as const;

/**
 * In place of a page the person may not open (or that does not exist): what was asked for, why
 * not in one sentence, and the way back. Never AdminJS's "404" with resource and action names.
 */
export const RefusedPage: React.FC<{ verdict: Exclude<RouteVerdict, { state: 'allowed' }>; rootPath: string }> = ({ verdict, rootPath }) => (
  <Box p="xl" data-testid="refused-page" data-state={verdict.state}>
    <Box variant="card" p="xxl" style={{ maxWidth: 720, borderTop: `4px solid ${verdict.state === 'refused' ? '#C20012' : '#3040D6'}` }}>
      <H2 id="refused-heading">{HEADINGS[verdict.state]}</H2>
      <Text mb="md" data-testid="refused-what">
        You asked for: <strong>{verdict.what}</strong>
      </Text>
      <Text mb="xl" role={verdict.state === 'refused' ? 'alert' : undefined} data-testid="refused-why">
        {verdict.why}
      </Text>
      <Link href={rootPath} data-testid="refused-back">
        Back to the dashboard
      </Link>
    </Box>
  </Box>
);
