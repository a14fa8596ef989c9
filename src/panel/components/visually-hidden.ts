import type React from 'react';

/**
 * Text for screen readers only: names a control, column or chart that shows just an icon, a
 * picture or nothing, and carries live announcements, without taking space on the screen.
 */
export const VISUALLY_HIDDEN: React.CSSProperties = {
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
