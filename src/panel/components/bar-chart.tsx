import React, { useEffect, useRef, useState } from 'react';
import { VISUALLY_HIDDEN } from './visually-hidden.js';

/**
 * A horizontal bar chart drawn as plain SVG: one row per item, a label block on the left, one or
 * more bars per row, each with its figure after it. The charts are small and few, and a chart
 * library would add far more to the panel's bundle than this does.
 */

/**
 * The width a chart really has, so that it is drawn in pixels: a scaled viewBox would make its
 * text as small or as large as the card happens to be.
 */
export function useWidth(fallback: number): [React.RefObject<HTMLDivElement>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === 'undefined') return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry && entry.contentRect.width > 0) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

/** One line of a row's label block; its text comes from the row, in the same order. */
export interface BarChartLabelLine {
  /** Where the line sits, from the top of its row. */
  y: number;
  fontSize: number;
  fontWeight?: number;
  color: string;
  /** Centred on y (a one-line label beside its bar) rather than standing on it. */
  centred?: boolean;
}

/** How a chart is laid out and lettered; the same for every row. */
export interface BarChartLayout {
  labelWidth: number;
  /** Space between the labels' right edge and the bars. */
  labelGap: number;
  /** Room kept on the right for the figures. */
  valueWidth: number;
  rowHeight: number;
  /** Where a row's first bar starts, from the top of its row. */
  barTop: number;
  barHeight: number;
  /** Between the bars of one row. */
  barGap: number;
  barRadius: number;
  /** A value above zero is never drawn shorter than this, so that it shows. */
  minBarLength: number;
  /** A full-length bar stands for at least this much, so that tiny figures do not fill the chart. */
  minScale: number;
  /** Space between a bar (or its track) and its figure. */
  valueGap: number;
  valueFontSize: number;
  labelLines: BarChartLabelLine[];
  /**
   * When set, each bar lies on a full-length track of this colour and its figure stands after
   * the track, so that the figures line up; otherwise the figure follows the bar's end.
   */
  trackColor?: string;
}

export interface BarChartBar {
  value: number;
  color: string;
  /** The figure printed beside the bar. */
  valueLabel: React.ReactNode;
  valueColor: string;
  valueBold?: boolean;
}

export interface BarChartRow {
  key: React.Key;
  /** The texts of the layout's label lines. */
  labels: string[];
  bars: BarChartBar[];
  /** Makes the whole row a link (for the mouse: see BarChartProps.summaryAs). */
  href?: string;
  testId?: string;
  /** Further data-* attributes on the row, for tests and styling. */
  data?: Record<`data-${string}`, string>;
}

export interface BarChartProps {
  rows: BarChartRow[];
  layout: BarChartLayout;
  /** The drawing's width in pixels (useWidth). */
  width: number;
  testId: string;
  /** What the chart shows, in words: what a screen reader reads instead of the drawing. */
  summary: string;
  /**
   * 'label': the chart is one image named by the summary. 'text': the summary is hidden text
   * (test id `${testId}-summary`) and the drawing is hidden from screen readers; needed when rows
   * are links, which an image cannot hold, and then the page must offer the same links elsewhere.
   */
  summaryAs: 'label' | 'text';
}

export const BarChart: React.FC<BarChartProps> = ({ rows, layout, width, testId, summary, summaryAs }) => {
  const { labelWidth, rowHeight, barHeight, trackColor } = layout;
  const max = Math.max(layout.minScale, ...rows.flatMap((r) => r.bars.map((b) => b.value)));
  const barArea = Math.max(40, width - labelWidth - layout.valueWidth);
  const length = (n: number) => (n === 0 ? 0 : Math.max(layout.minBarLength, (barArea * n) / max));
  const height = rowHeight * rows.length;
  const accessible =
    summaryAs === 'label'
      ? ({ role: 'img', 'aria-label': summary } as const)
      : ({ 'aria-hidden': 'true', focusable: 'false', 'data-summary': summary } as const);
  return (
    <>
      {summaryAs === 'text' ? (
        <p style={VISUALLY_HIDDEN} data-testid={`${testId}-summary`}>
          {summary}
        </p>
      ) : null}
      <svg {...accessible} data-testid={testId} viewBox={`0 0 ${width} ${height}`} width={width} height={height} style={{ display: 'block' }}>
        {summaryAs === 'label' ? <title>{summary}</title> : null}
        {rows.map((row, i) => {
          const top = i * rowHeight;
          const content = (
            <>
              {/* The whole row is the link's target, not only its text and bar. */}
              {row.href ? <rect x={0} y={top} width={width} height={rowHeight} fill="transparent" /> : null}
              {layout.labelLines.map((line, n) => (
                <text
                  key={`label${n}`}
                  x={labelWidth - layout.labelGap}
                  y={top + line.y}
                  textAnchor="end"
                  dominantBaseline={line.centred ? 'central' : undefined}
                  fontSize={line.fontSize}
                  fontWeight={line.fontWeight}
                  fill={line.color}
                >
                  {row.labels[n]}
                </text>
              ))}
              {row.bars.map((bar, n) => {
                const y = top + layout.barTop + n * (barHeight + layout.barGap);
                const valueX = labelWidth + (trackColor ? barArea : length(bar.value)) + layout.valueGap;
                return (
                  <React.Fragment key={`bar${n}`}>
                    {trackColor ? <rect x={labelWidth} y={y} width={barArea} height={barHeight} rx={layout.barRadius} fill={trackColor} /> : null}
                    <rect x={labelWidth} y={y} width={length(bar.value)} height={barHeight} rx={layout.barRadius} fill={bar.color} />
                    <text
                      x={valueX}
                      y={y + barHeight / 2}
                      dominantBaseline="central"
                      fontSize={layout.valueFontSize}
                      fontWeight={bar.valueBold ? 600 : undefined}
                      fill={bar.valueColor}
                    >
                      {bar.valueLabel}
                    </text>
                  </React.Fragment>
                );
              })}
            </>
          );
          return row.href ? (
            // Not in the tab order: with summaryAs 'text' the page offers the same links elsewhere.
            <a key={row.key} href={row.href} tabIndex={-1} data-testid={row.testId} {...row.data}>
              {content}
            </a>
          ) : (
            <g key={row.key} data-testid={row.testId} {...row.data}>
              {content}
            </g>
          );
        })}
      </svg>
    </>
  );
};
