import React from 'react';
import { Box, H5, Link, Text } from '@adminjs/design-system';

/** A titled card of the start page, with an aside (a date, a count) beside the title. */
export const Card: React.FC<{ title: string; aside?: React.ReactNode; testId?: string; children: React.ReactNode }> = ({ title, aside, testId, children }) => (
  <Box variant="card" p="xl" style={{ minWidth: 0 }} data-testid={testId}>
    <Box flex justifyContent="space-between" alignItems="baseline" mb="lg">
      <H5 mb="0">{title}</H5>
      {aside}
    </Box>
    {children}
  </Box>
);

/** One figure of the start page, opening the list it counted. */
export const Tile: React.FC<{ title: string; value: number; href: string; tone?: string; testId?: string }> = ({ title, value, href, tone, testId }) => (
  <Box variant="card" flex flexDirection="column" p="lg" style={{ minWidth: 170 }} data-testid={testId}>
    <Text fontSize="sm" color="grey60">
      {title}
    </Text>
    {/* The link says what it opens; the figure alone would be read as "3". */}
    <Link
      href={href}
      aria-label={`${value} ${title.toLowerCase()}: open the list`}
      style={{ fontSize: 32, fontWeight: 500, color: tone ?? 'inherit', textDecoration: 'none' }}
    >
      {value}
    </Link>
  </Box>
);
