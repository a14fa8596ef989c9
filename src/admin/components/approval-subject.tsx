import React, { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';
import { Badge, Box, H5, Link, Loader, MessageBox, Text } from '@adminjs/design-system';

// The shape sent by src/approvals/approval-subject.service.ts.
interface SubjectStep {
  position: string;
  operation: string;
  workCenter: string | null;
  estimatedHours: number | null;
  checks: Array<{ sequence: number; description: string; limits: string | null }>;
  manual: boolean;
}

interface Subject {
  kind: 'traveler' | 'revision';
  title: string;
  table: string;
  id: number;
  steps: SubjectStep[];
  unchanged: boolean;
}

const api = new ApiClient();

/**
 * What the decision approves, in full: for a release, the traveler with every step, check and
 * manual step; for a routing change, the revision's routing. The database hashed this content
 * when the request was made; a change since is said here, and approving is refused as stale.
 */
export const ApprovalSubjectView: React.FC<{ approvalId: string }> = ({ approvalId }) => {
  const [subject, setSubject] = useState<Subject | null | undefined>(undefined);
  const [error, setError] = useState(false);

  useEffect(() => {
    api
      .recordAction({ resourceId: 'approvals', recordId: approvalId, actionName: 'subject' })
      .then((response) => setSubject((response.data as unknown as { subject: Subject | null }).subject))
      .catch(() => setError(true));
  }, [approvalId]);

  if (error) return <Text color="grey60">What this request approves could not be loaded.</Text>;
  if (subject === undefined) return <Loader />;
  if (subject === null) return null;
  return (
    <Box data-testid="approval-subject" mt="lg">
      <H5>
        What this approves: <Link href={`/admin/resources/${subject.table}/records/${subject.id}/show`}>{subject.title}</Link>
      </H5>
      {subject.unchanged ? null : (
        <MessageBox variant="danger" mb="lg" message="This content changed after the request was made: approving it will be refused as stale." />
      )}
      {subject.steps.length === 0 ? <Text color="grey60">No steps.</Text> : null}
      <ol style={{ paddingLeft: 20, margin: 0 }}>
        {subject.steps.map((step) => (
          <li key={`${step.position}-${step.operation}`} data-testid="approval-subject-step" style={{ marginBottom: 8 }}>
            <Text>
              <strong>{step.manual ? `Manual step ${step.position}` : `Step ${step.position}`}</strong> · {step.operation}
              {step.workCenter ? ` · ${step.workCenter}` : ''}
              {step.estimatedHours !== null ? ` · ${step.estimatedHours} h` : ''} {step.manual ? <Badge size="sm">added by hand</Badge> : null}
            </Text>
            {step.checks.length ? (
              <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
                {step.checks.map((check) => (
                  <li key={check.sequence}>
                    <Text fontSize="sm">
                      Check {check.sequence}: {check.description}
                      {check.limits ? ` (${check.limits})` : ''}
                    </Text>
                  </li>
                ))}
              </ul>
            ) : null}
          </li>
        ))}
      </ol>
    </Box>
  );
};
