import React from 'react';
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { BarChart, useWidth, type BarChartLayout, type BarChartRow } from '../bar-chart.js';
import { COLOR, hours, isOver, type Labor } from './dashboard-format.js';

const LegendKey: React.FC<{ color: string; label: string }> = ({ color, label }) => (
  <Box as="span" flex alignItems="center" mr="lg" style={{ gap: 6, fontSize: 13 }}>
    <span aria-hidden="true" style={{ width: 12, height: 12, borderRadius: 2, background: color, display: 'inline-block' }} />
    {label}
  </Box>
);

const LABOR_LAYOUT: BarChartLayout = {
  labelWidth: 150,
  labelGap: 12,
  valueWidth: 70,
  rowHeight: 50,
  barTop: 4,
  barHeight: 14,
  barGap: 2,
  barRadius: 2,
  minBarLength: 2,
  minScale: 0.01,
  valueGap: 6,
  valueFontSize: 12,
  // The code beside the actual bar, the name under it beside the estimate.
  labelLines: [
    { y: 16, fontSize: 13, fontWeight: 600, color: COLOR.text },
    { y: 34, fontSize: 11, color: COLOR.muted },
  ],
};

/** Per work center, this week's hours beside the estimate of the steps they were booked on. */
export const LaborChart: React.FC<{ data: Labor[]; weekStart: string }> = ({ data, weekStart }) => {
  const [ref, width] = useWidth(720);
  const over = data.filter(isOver);
  const summary = `Labor hours in the week from ${weekStart}, actual against estimate: ${data
    .map((c) => `${c.code} ${hours(c.actual_hours)} of ${hours(c.estimated_hours)} estimated${isOver(c) ? ' (over estimate)' : ''}`)
    .join('; ')}.`;
  const rows: BarChartRow[] = data.map((c) => {
    const tone = isOver(c) ? COLOR.warning : COLOR.primary;
    return {
      key: c.work_center_id,
      labels: [c.code, c.name.length > 20 ? `${c.name.slice(0, 19)}…` : c.name],
      bars: [
        { value: c.actual_hours, color: tone, valueLabel: hours(c.actual_hours), valueColor: c.actual_hours === 0 ? COLOR.muted : tone, valueBold: true },
        { value: c.estimated_hours, color: COLOR.estimate, valueLabel: hours(c.estimated_hours), valueColor: COLOR.muted },
      ],
      testId: `labor-group-${c.code}`,
      data: { 'data-over': isOver(c) ? 'true' : 'false' },
    };
  });
  return (
    <div ref={ref}>
      <Box flex flexWrap="wrap" mb="md" data-testid="labor-legend">
        <LegendKey color={COLOR.primary} label="Actual hours" />
        <LegendKey color={COLOR.warning} label="Actual, over estimate" />
        <LegendKey color={COLOR.estimate} label="Estimated hours" />
      </Box>
      <BarChart rows={rows} layout={LABOR_LAYOUT} width={width} testId="chart-labor-this-week" summary={summary} summaryAs="label" />
      {over.length > 0 && (
        <Text mt="md" color="warning" data-testid="labor-over-estimate">
          Over estimate: {over.map((c) => `${c.code} (${hours(c.actual_hours - c.estimated_hours)} over)`).join(', ')}
        </Text>
      )}
      <details style={{ marginTop: 12 }}>
        <summary style={{ cursor: 'pointer', fontSize: 13 }}>Show the figures as a table</summary>
        <Table data-testid="labor-table" style={{ width: '100%' }}>
          <TableHead>
            <TableRow>
              <TableCell>Work center</TableCell>
              <TableCell>Actual</TableCell>
              <TableCell>Estimated</TableCell>
              <TableCell>Difference</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {data.map((c) => (
              <TableRow key={c.work_center_id}>
                <TableCell>
                  {c.code} · {c.name}
                </TableCell>
                <TableCell>{hours(c.actual_hours)}</TableCell>
                <TableCell>{hours(c.estimated_hours)}</TableCell>
                <TableCell>
                  {c.actual_hours - c.estimated_hours > 0 ? '+' : ''}
                  {hours(c.actual_hours - c.estimated_hours)}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </details>
    </div>
  );
};
