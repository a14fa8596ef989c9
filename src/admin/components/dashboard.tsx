import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Box, H2, H5, Text, Table, TableHead, TableBody, TableRow, TableCell, Link, Loader } from '@adminjs/design-system';

interface Summary {
  travelersByStatus: Array<{ status: string; count: number }>;
  lateTravelers: Array<{ id: number; number: string; due_date: string; status: string; part_number: string }>;
  openWorkOrders: number;
  /** The ones the signed-in person may decide. */
  pendingApprovals: number;
}

const api = new ApiClient();
const label = (status: string) => status.replace('_', ' ');

const Tile: React.FC<{ title: string; value: number; href: string; tone?: string; testId?: string }> = ({ title, value, href, tone, testId }) => (
  <Box variant="card" flex flexDirection="column" p="lg" mr="lg" mb="lg" style={{ minWidth: 150 }} data-testid={testId}>
    <Text fontSize="sm" color="grey60">{title}</Text>
    <Link href={href} style={{ fontSize: 32, fontWeight: 500, color: tone ?? 'inherit', textDecoration: 'none' }}>
      {value}
    </Link>
  </Box>
);

const Dashboard: React.FC = () => {
  const [summary, setSummary] = useState<Summary | null>(null);
  useEffect(() => {
    api.getDashboard().then((response) => setSummary(response.data as Summary));
  }, []);
  if (!summary) return <Loader />;
  const max = Math.max(1, ...summary.travelersByStatus.map((s) => s.count));
  return (
    <Box p="xl" data-testid="nexus-dashboard">
      <H2>Shop floor today</H2>
      <Box flex flexWrap="wrap">
        <Tile title="Open work orders" value={summary.openWorkOrders} href="/admin/resources/work_orders" />
        <Tile title="Late travelers" value={summary.lateTravelers.length} href="/admin/resources/travelers" tone={summary.lateTravelers.length ? '#c20012' : undefined} />
        <Tile title="Pending approvals" value={summary.pendingApprovals} href="/admin/pages/myApprovals" testId="tile-pending-approvals" />
      </Box>
      <Box variant="card" p="lg" mb="lg">
        <H5>Travelers by status</H5>
        {summary.travelersByStatus.map((s) => (
          <Box key={s.status} flex alignItems="center" mb="sm">
            <Box style={{ width: 110 }}><Text>{label(s.status)}</Text></Box>
            <Box style={{ height: 16, width: `${(60 * s.count) / max}%`, minWidth: 2, background: '#4268F6', borderRadius: 3 }} />
            <Box ml="md"><Text>{s.count}</Text></Box>
          </Box>
        ))}
      </Box>
      <Box variant="card" p="lg">
        <H5>Late travelers</H5>
        {summary.lateTravelers.length === 0 ? (
          <Text>Nothing is late.</Text>
        ) : (
          <Table>
            <TableHead>
              <TableRow><TableCell>Traveler</TableCell><TableCell>Part</TableCell><TableCell>Due</TableCell><TableCell>Status</TableCell></TableRow>
            </TableHead>
            <TableBody>
              {summary.lateTravelers.map((t) => (
                <TableRow key={t.id}>
                  <TableCell><Link href={`/admin/resources/travelers/records/${t.id}/show`}>{t.number}</Link></TableCell>
                  <TableCell>{t.part_number}</TableCell>
                  <TableCell>{t.due_date}</TableCell>
                  <TableCell>{label(t.status)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Box>
    </Box>
  );
};

export default Dashboard;
