import React from 'react';
import { Badge, Box, H5, Link, MessageBox, Table, TableBody, TableCell, TableHead, TableRow, Text } from '@adminjs/design-system';

// The shapes sent by src/approvals/approval-subject.service.ts (types only: nothing of the server is bundled).
import type { ApprovalSubject as Subject, ContentDiffLine, SubjectStep } from '../../approvals/approval-subject.service.js';
import { recordUrl } from './panel-urls.js';

export type { Subject, ContentDiffLine, SubjectStep };

// Text colours with at least 4.5:1 on their backgrounds.
const CHANGE_STYLE: Record<ContentDiffLine['change'], React.CSSProperties> = {
  same: {},
  added: { background: '#e6f4ea', color: '#0b5d1e' },
  removed: { background: '#fdecea', color: '#8a1010' },
  changed: { background: '#fff4e0', color: '#6b3d00' },
};
// Long operations wrap inside their column instead of widening the table past the page.
const CELL: React.CSSProperties = { color: 'inherit', whiteSpace: 'normal', overflowWrap: 'break-word' };
const CHANGE_WORD: Record<ContentDiffLine['change'], string> = { same: '', added: 'added', removed: 'removed', changed: 'changed' };

/** The routing (or the traveler's steps) before and after the change, side by side, the changed lines marked. */
const ContentDiff: React.FC<{ lines: ContentDiffLine[]; kind: Subject['kind'] }> = ({ lines, kind }) => (
  <Table data-testid="content-diff" style={{ width: '100%', tableLayout: 'fixed' }}>
    <caption style={{ textAlign: 'left', padding: '4px 0 8px' }}>
      {kind === 'revision' ? 'The routing' : 'The traveler’s steps and checks'} now and once approved; the changed lines are marked.
    </caption>
    <TableHead>
      <TableRow>
        <TableCell as="th" scope="col" style={{ width: '42%' }}>
          Before
        </TableCell>
        <TableCell as="th" scope="col" style={{ width: '42%' }}>
          After
        </TableCell>
        <TableCell as="th" scope="col">
          Change
        </TableCell>
      </TableRow>
    </TableHead>
    <TableBody>
      {lines.map((line, index) => (
        // The lines are a fixed rendering of one diff: their position is their identity.
        <TableRow key={index} data-testid="content-diff-line" data-change={line.change} style={CHANGE_STYLE[line.change]}>
          <TableCell style={{ ...CELL, paddingLeft: line.kind === 'check' ? 32 : undefined }}>
            {line.before === null ? (
              <Text as="span" color="grey80" aria-label="not there">
                —
              </Text>
            ) : line.change === 'removed' ? (
              <del>{line.before}</del>
            ) : (
              line.before
            )}
          </TableCell>
          <TableCell style={{ ...CELL, paddingLeft: line.kind === 'check' ? 32 : undefined, fontWeight: line.change === 'same' ? undefined : 600 }}>
            {line.after === null ? (
              <Text as="span" color="grey80" aria-label="not there">
                —
              </Text>
            ) : line.change === 'added' ? (
              <ins style={{ textDecoration: 'none' }}>{line.after}</ins>
            ) : (
              line.after
            )}
          </TableCell>
          <TableCell style={CELL}>
            {CHANGE_WORD[line.change]}
            {line.alsoChanged.length ? ` (${line.alsoChanged.join(', ')})` : ''}
          </TableCell>
        </TableRow>
      ))}
    </TableBody>
  </Table>
);

const StepList: React.FC<{ steps: SubjectStep[] }> = ({ steps }) => (
  <>
    {steps.length === 0 ? <Text color="grey80">No steps.</Text> : null}
    <ol style={{ paddingLeft: 20, margin: 0 }}>
      {steps.map((step) => (
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
  </>
);

/**
 * What the decision approves, in full: for a release, the traveler with every step, check and
 * manual step (or the revision with its routing); for a change to those, the content before and
 * after. The database hashed this content when the request was made; a change since is said
 * here, and approving is refused as stale.
 */
export const SubjectContent: React.FC<{ subject: Subject }> = ({ subject }) => (
  <Box data-testid="approval-subject" mt="lg">
    <H5>
      What this approves: <Link href={recordUrl(subject.table, subject.id)}>{subject.title}</Link>
    </H5>
    {subject.unchanged ? null : (
      <MessageBox variant="danger" mb="lg" message="This content changed after the request was made: approving it will be refused as stale." />
    )}
    {subject.diff ? <ContentDiff lines={subject.diff} kind={subject.kind} /> : <StepList steps={subject.steps} />}
  </Box>
);
