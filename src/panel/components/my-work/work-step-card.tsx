import React from 'react';
import { Badge, Box, Button, H4, Link, Text } from '@adminjs/design-system';
import type { WorkCheck, WorkStep } from '../../../travelers/shop-floor.service.js';
import type { StepMove } from '../../../travelers/step-move-rules.js';
import { panelUrl, recordUrl } from '../panel-urls.js';
import { AnswerAt, type Answer } from './work-answers.js';
import { WorkCheckItem } from './work-check.js';
import { big, stepResource, type Act } from './work-format.js';

/**
 * A step card's buttons, in order. Each shows when the server offers its move (step-move-rules.ts),
 * disabled beside the server's reason when it would be refused now.
 */
const MOVE_BUTTONS: Array<{ move: StepMove; name: string; label: string; variant: 'outlined' | 'contained' | 'success' }> = [
  { move: 'start', name: 'start', label: 'Start', variant: 'outlined' },
  { move: 'clockOut', name: 'clock-out', label: 'Clock out', variant: 'outlined' },
  { move: 'clockIn', name: 'clock-in', label: 'Clock in', variant: 'contained' },
  { move: 'signOff', name: 'sign-off', label: 'Sign off', variant: 'success' },
];

interface WorkStepCardProps {
  step: WorkStep;
  answer: Answer | null;
  doing: boolean;
  /** Values typed in the checks' measurements, by check id. */
  values: Record<number, string>;
  onType: (checkId: number, value: string) => void;
  onRecord: (check: WorkCheck) => void;
  act: Act;
}

/** One step that can be worked now: what and where it is, its checklist, and the moves it offers. */
export const WorkStepCard: React.FC<WorkStepCardProps> = ({ step: s, answer, doing, values, onType, onRecord, act }) => {
  const key = `step-${s.kind}-${s.id}`;
  const resourceId = stepResource(s.kind);
  const buttons = MOVE_BUTTONS.filter((b) => s.moves.offered.includes(b.move));
  return (
    <Box
      as="section"
      variant="card"
      p={['lg', 'xl']}
      mb="lg"
      data-testid="work-step"
      data-step-id={s.id}
      data-step-kind={s.kind}
      data-traveler={s.travelerNumber}
      aria-label={`${s.travelerNumber} ${s.kind === 'routing' ? `step ${s.position}` : `manual step ${s.position}`}: ${s.operation}`}
      style={{ borderLeft: `6px solid ${s.status === 'in_progress' ? '#2563eb' : '#6b7280'}` }}
    >
      <H4 mb="sm">
        {s.travelerNumber} · {s.kind === 'routing' ? `Step ${s.position}` : `Manual step ${s.position}`}: {s.operation}
      </H4>
      <Text color="grey60">
        Part {s.partNumber}
        {s.dueDate ? ` · due ${s.dueDate}` : ''}
        {s.workCenter ? ` · ${s.workCenter.code} (${s.workCenter.name})` : ''}
      </Text>
      <Text mt="sm">
        <Badge variant={s.status === 'in_progress' ? 'primary' : 'default'} data-testid="step-status">
          {s.status === 'in_progress' ? 'In progress' : 'Ready'}
        </Badge>{' '}
        {s.clockedIn.length ? <span data-testid="clocked-in-names">Clocked in: {s.clockedIn.join(', ')}</span> : <span>Nobody clocked in</span>}
      </Text>
      {s.instructions ? <Text mt="sm">{s.instructions}</Text> : null}
      <Text mt="sm">
        <Link href={recordUrl('travelers', s.travelerId)}>Traveler {s.travelerNumber}</Link>
        {' · '}
        <Link href={panelUrl(`/travelers/${s.travelerId}/print`)} target="_blank" rel="noopener">
          Printable traveler
        </Link>
      </Text>

      {s.checks.length ? (
        <Box mt="lg" data-testid="checklist">
          {s.checks.map((c) => (
            <WorkCheckItem
              key={c.id}
              check={c}
              answer={answer}
              doing={doing}
              typed={values[c.id]}
              onType={(value) => onType(c.id, value)}
              onRecord={() => onRecord(c)}
              act={act}
            />
          ))}
        </Box>
      ) : null}

      <Box mt="lg" flex flexDirection="row" alignItems="flex-start" style={{ gap: 12, flexWrap: 'wrap' }}>
        {buttons.map(({ move, name, label, variant }) => (
          <Button
            key={move}
            variant={variant}
            style={big}
            disabled={doing || s.moves[move] !== null}
            data-testid={name}
            aria-describedby={s.moves[move] !== null ? `${key}-${name}-reason` : undefined}
            onClick={() => void act(key, resourceId, s.id, move)}
          >
            {label}
          </Button>
        ))}
      </Box>
      {buttons.map(({ move, name, label }) =>
        s.moves[move] !== null ? (
          <Text key={move} id={`${key}-${name}-reason`} mt="default" color="grey80" data-testid={`${name}-reason`}>
            {label} is not possible yet: {s.moves[move]}
          </Text>
        ) : null,
      )}
      <AnswerAt answer={answer} at={key} />
    </Box>
  );
};
