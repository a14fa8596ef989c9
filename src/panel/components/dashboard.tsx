import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, H2, H5, Link, Loader, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';
import { BarChart, useWidth, type BarChartLayout, type BarChartRow } from './bar-chart.js';
import { listUrl, pageUrl, recordUrl } from './panel-urls.js';
import type { DashboardSummary } from '../../dashboard/dashboard.service.js';

// The shape sent by src/dashboard/dashboard.service.ts.
// The shape sent by the dashboard handler (src/dashboard/dashboard.service.ts).
type Summary = DashboardSummary;

type Labor = Summary['laborThisWeek'][number];

const api = new ApiClient();

// The design system's palette (theme.ts), spelled out because SVG attributes do not read the theme.
const COLOR = {
  text: '#0C1E29',
  muted: '#898A9A',
  grid: '#EEEEEF',
  primary: '#3040D6',
  estimate: '#BBC3CB',
  warning: '#A14F17',
  error: '#C20012',
};
const STATUS_COLOR: Record<string, string> = {
  draft: '#898A9A',
  released: '#6483F8',
  in_progress: '#3040D6',
  on_hold: '#A14F17',
  completed: '#007D7F',
  cancelled: '#BBC3CB',
};

const statusLabel = (status: string) => {
  const text = status.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
};
const hours = (n: number) => `${Number(n.toFixed(2))} h`;
const isOver = (c: Labor) => c.actual_hours > c.estimated_hours;
const when = (iso: string) => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const travelersOfStatus = (status: string) => listUrl('travelers', `filters.status=${encodeURIComponent(status)}`);
// Each tile opens its list filtered to exactly what it counted: the same SQL, named (src/dashboard/tile-filters.ts).
const LATE_TRAVELERS_HREF = listUrl('travelers', 'filters.late=true&sortBy=due_date&direction=asc');
const OPEN_WORK_ORDERS_HREF = listUrl('work_orders', 'filters.open=true&sortBy=due_date&direction=asc');

const Card: React.FC<{ title: string; aside?: React.ReactNode; testId?: string; children: React.ReactNode }> = ({ title, aside, testId, children }) => (
  <Box variant="card" p="xl" style={{ minWidth: 0 }} data-testid={testId}>
    <Box flex justifyContent="space-between" alignItems="baseline" mb="lg">
      <H5 mb="0">{title}</H5>
      {aside}
    </Box>
    {children}
  </Box>
);

const Tile: React.FC<{ title: string; value: number; href: string; tone?: string; testId?: string }> = ({ title, value, href, tone, testId }) => (
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
const StatusChart: React.FC<{ data: Summary['travelersByStatus'] }> = ({ data }) => {
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
const LaborChart: React.FC<{ data: Labor[]; weekStart: string }> = ({ data, weekStart }) => {
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

const LateTravelers: React.FC<{ list: Summary['lateTravelers']; total: number }> = ({ list, total }) =>
  list.length === 0 ? (
    <Text color="grey60" data-testid="late-travelers-empty">
      Nothing is late.
    </Text>
  ) : (
    <>
      <Table data-testid="late-travelers" style={{ width: '100%' }}>
        <TableHead>
          <TableRow>
            <TableCell>Traveler</TableCell>
            <TableCell>Customer</TableCell>
            <TableCell>Part</TableCell>
            <TableCell>Due</TableCell>
            <TableCell>Late by</TableCell>
            <TableCell>Status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {list.map((t) => (
            <TableRow key={t.id} data-testid="late-traveler">
              <TableCell>
                <Link href={recordUrl('travelers', t.id)}>{t.number}</Link>
              </TableCell>
              <TableCell>{t.customer_name}</TableCell>
              <TableCell>{t.part_number}</TableCell>
              <TableCell>{t.due_date}</TableCell>
              <TableCell>
                <Badge variant="danger" size="sm">
                  {t.days_late} {t.days_late === 1 ? 'day' : 'days'}
                </Badge>
              </TableCell>
              <TableCell>{statusLabel(t.status)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {total > list.length && (
        <Text mt="md" fontSize="sm" color="grey60">
          The {list.length} most overdue of {total} late travelers.{' '}
          <Link href={LATE_TRAVELERS_HREF} data-testid="all-late-travelers">
            See all {total}
          </Link>
        </Text>
      )}
    </>
  );

const PendingApprovals: React.FC<{ count: number; list: Summary['pendingApprovalList'] }> = ({ count, list }) => (
  <>
    {/* One link only in the tile: the count is the way into the inbox. */}
    <Box data-testid="tile-pending-approvals" flex alignItems="baseline" mb="lg" style={{ gap: 10 }}>
      <Link href={pageUrl('myApprovals')} style={{ fontSize: 36, fontWeight: 500, textDecoration: 'none', color: count ? COLOR.primary : 'inherit' }}>
        {count}
      </Link>
      <Text color="grey60">{count === 1 ? 'request waits' : 'requests wait'} for your decision</Text>
    </Box>
    {list.length === 0 ? (
      <Text color="grey60" mb="lg">
        Nothing waits for your decision.
      </Text>
    ) : (
      <Box as="ul" mb="lg" style={{ listStyle: 'none', padding: 0, margin: 0 }} data-testid="pending-approval-list">
        {list.map((r) => (
          <Box as="li" key={r.id} py="sm" style={{ borderTop: `1px solid ${COLOR.grid}` }}>
            <Link href={recordUrl('approvals', r.id)}>
              #{r.id} {r.summary ?? 'Change request'}
            </Link>
            <Text fontSize="sm" color="grey60">
              {r.requester_name} · <span title={r.requested_at}>{when(r.requested_at)}</span>
            </Text>
          </Box>
        ))}
      </Box>
    )}
    <Link href={pageUrl('myApprovals')} data-testid="open-my-approvals">
      Open My approvals →
    </Link>
  </>
);

const Dashboard: React.FC = () => {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState(false);
  useEffect(() => {
    api
      .getDashboard()
      .then((response) => setSummary(response.data as Summary))
      .catch(() => setError(true));
  }, []);
  if (error) return <MessageBox variant="danger" message="The dashboard could not be loaded. Reload the page to try again." />;
  if (!summary) return <Loader />;
  const laborRecorded = summary.laborThisWeek.some((c) => c.actual_hours > 0);
  return (
    <Box p="xl" data-testid="nexus-dashboard">
      <H2>Shop floor today</H2>
      <Box flex flexWrap="wrap" mb="xl" style={{ gap: 16 }}>
        <Tile title="Open work orders" value={summary.openWorkOrders} href={OPEN_WORK_ORDERS_HREF} testId="tile-open-work-orders" />
        <Tile
          title="Late travelers"
          value={summary.lateTravelerCount}
          href={LATE_TRAVELERS_HREF}
          tone={summary.lateTravelerCount ? COLOR.error : undefined}
          testId="tile-late-travelers"
        />
      </Box>
      <Box mb="xl" style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(380px, 1fr))', gap: 24 }}>
        <Card title="Travelers by status" testId="card-travelers-by-status">
          <StatusChart data={summary.travelersByStatus} />
        </Card>
        {/* Viewers do not read approval requests: no card that would always say 0. */}
        {summary.approvalsVisible && (
          <Card title="Pending approvals" testId="card-pending-approvals">
            <PendingApprovals count={summary.pendingApprovals} list={summary.pendingApprovalList} />
          </Card>
        )}
      </Box>
      <Box mb="xl">
        <Card
          title="Labor this week against estimate"
          aside={
            <Text fontSize="sm" color="grey60">
              Week of {summary.weekStart}
            </Text>
          }
          testId="card-labor-this-week"
        >
          {laborRecorded ? (
            <LaborChart data={summary.laborThisWeek} weekStart={summary.weekStart} />
          ) : (
            <Text color="grey60" data-testid="labor-empty">
              No labor recorded this week.
            </Text>
          )}
        </Card>
      </Box>
      <Card
        title="Late travelers"
        aside={summary.lateTravelerCount > 0 ? <Badge variant="danger">{summary.lateTravelerCount} late</Badge> : undefined}
        testId="card-late-travelers"
      >
        <LateTravelers list={summary.lateTravelers} total={summary.lateTravelerCount} />
      </Card>
    </Box>
  );
};

export default Dashboard;
