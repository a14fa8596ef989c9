/** The top bar's colours, from the design system's palette. */
export const COLOR = {
  text: '#0C1E29',
  muted: '#454655',
  border: '#C0C0CA',
  focus: '#3040D6',
  active: '#E8EBFD',
  surface: '#FFFFFF',
};
