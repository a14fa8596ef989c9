import React from 'react';
import { Badge } from '@adminjs/design-system';
import { useTranslation } from 'adminjs';

interface Props {
  property: { propertyPath: string; path: string; availableValues?: Array<{ value: string; label?: string }> | null };
  record?: { params: Record<string, unknown> };
  resource: { id: string };
}

// White text on each of these has a contrast of at least 6.5:1 (WCAG AA asks 4.5:1); AdminJS's
// own badge is white on light grey, 1.78:1. Colours say the state: done green, running amber,
// stopped orange, void red, waiting violet, not started grey.
const COLOURS: Record<string, string> = {
  draft: '#4b5563',
  open: '#1d4ed8',
  released: '#1d4ed8',
  in_progress: '#92400e',
  on_hold: '#9a3412',
  completed: '#166534',
  approved: '#166534',
  cancelled: '#991b1b',
  rejected: '#991b1b',
  obsolete: '#991b1b',
  pending: '#5b21b6',
  withdrawn: '#374151',
  stale: '#374151',
  urgent: '#991b1b',
  high: '#9a3412',
};
const DEFAULT_COLOUR = '#4b5563';

const startCase = (text: string) => text.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** A value from a fixed list (a status, a priority, a role), as a readable coloured badge. */
const ValueBadge: React.FC<Props> = ({ property, record, resource }) => {
  const { tl } = useTranslation();
  const raw = record?.params[property.path];
  if (raw === undefined) return null;
  // Params arrive as strings; option values may be numbers.
  const option = property.availableValues?.find((o) => String(o.value) === String(raw));
  if (!option) return <>{raw === null ? '' : String(raw)}</>;
  const label = option.label || String(raw);
  const colour = COLOURS[String(raw)] ?? DEFAULT_COLOUR;
  return (
    <Badge style={{ backgroundColor: colour, borderColor: colour, color: '#ffffff', whiteSpace: 'nowrap' }} data-value={String(raw)}>
      {tl(`${property.propertyPath}.${label}`, resource.id, { defaultValue: startCase(label) })}
    </Badge>
  );
};

export default ValueBadge;
