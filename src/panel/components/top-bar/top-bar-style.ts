import type React from 'react';

/** The top bar's colours, from the design system's palette. */
export const COLOR = {
  text: '#0C1E29',
  muted: '#454655',
  border: '#C0C0CA',
  focus: '#3040D6',
  active: '#E8EBFD',
  surface: '#FFFFFF',
};

/** Read by screen readers, not shown. */
export const visuallyHidden: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
};
