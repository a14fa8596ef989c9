import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, H2, Loader, MessageBox, Text } from '@adminjs/design-system';
import { Card, Tile } from './dashboard/dashboard-cards.js';
import { COLOR, LATE_TRAVELERS_HREF, OPEN_WORK_ORDERS_HREF, type Summary } from './dashboard/dashboard-format.js';
import { LaborChart } from './dashboard/labor-chart.js';
import { LateTravelers } from './dashboard/late-travelers.js';
import { PendingApprovals } from './dashboard/pending-approvals.js';
import { StatusChart } from './dashboard/status-chart.js';

const api = new ApiClient();

/** The start page: open work orders and late travelers, travelers by status, pending approvals, this week's labor. */
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
      {summary.readFrom.notice && (
        <Text fontSize="sm" color="grey60" mb="lg" data-testid="dashboard-lag">
          {summary.readFrom.notice}
        </Text>
      )}
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
