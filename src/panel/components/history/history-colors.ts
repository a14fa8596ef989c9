/** The History's colours: removed and added values, and quiet text. */
export const COLORS = { removed: '#b3001b', removedBg: '#fdecee', added: '#0b6b2f', addedBg: '#e7f6ec', muted: '#6b7280', border: '#e5e7eb' };
