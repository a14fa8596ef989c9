import React from 'react';
import { Box, Link } from '@adminjs/design-system';
import { BarChart, useWidth, type BarChartLayout, type BarChartRow } from '../bar-chart.js';
import { COLOR, STATUS_COLOR, statusLabel, travelersOfStatus, type Summary } from './dashboard-format.js';

const STATUS_LAYOUT: BarChartLayout = {
  labelWidth: 96,
  labelGap: 10,
  valueWidth: 56,
  rowHeight: 30,
  barTop: 6,
  barHeight: 18,
  barGap: 0,
  barRadius: 3,
  minBarLength: 3,
  minScale: 1,
  valueGap: 8,
  valueFontSize: 13,
  labelLines: [{ y: 15, fontSize: 13, color: COLOR.text, centred: true }],
  trackColor: COLOR.grid,
};

/** One bar per status; a bar opens the travelers list filtered by it. */
export const StatusChart: React.FC<{ data: Summary['travelersByStatus'] }> = ({ data }) => {
  const [ref, width] = useWidth(480);
  const total = data.reduce((sum, s) => sum + s.count, 0);
  const summary = `Travelers by status, ${total} in all: ${data.map((s) => `${statusLabel(s.status)} ${s.count}`).join(', ')}.`;
  const rows: BarChartRow[] = data.map((s) => ({
    key: s.status,
    labels: [statusLabel(s.status)],
    bars: [{ value: s.count, color: STATUS_COLOR[s.status] ?? COLOR.primary, valueLabel: s.count, valueColor: COLOR.text, valueBold: true }],
    href: travelersOfStatus(s.status),
    testId: `status-bar-${s.status}`,
  }));
  return (
    <div ref={ref}>
      {/* The bars are links for the mouse; a screen reader gets the summary, and the same links in the legend below. */}
      <BarChart rows={rows} layout={STATUS_LAYOUT} width={width} testId="chart-travelers-by-status" summary={summary} summaryAs="text" />
      <Box as="ul" flex flexWrap="wrap" mt="lg" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 8 }} data-testid="status-legend">
        {data.map((s) => (
          <li key={s.status}>
            <Link href={travelersOfStatus(s.status)} style={{ display: 'inline-flex', alignItems: 'center', gap: 6, fontSize: 13 }}>
              <span aria-hidden="true" style={{ width: 10, height: 10, borderRadius: 2, background: STATUS_COLOR[s.status] ?? COLOR.primary }} />
              {statusLabel(s.status)}: {s.count}
            </Link>
          </li>
        ))}
      </Box>
    </div>
  );
};
