import React from 'react';
import { Box } from '@adminjs/design-system';
import type { MyWork as MyWorkData } from '../../../travelers/shop-floor.service.js';

/** An answer shown at the control that was used ("banner", "step-routing-12", "check-40"). */
export interface Answer {
  at: string;
  variant: 'success' | 'danger';
  text: string;
}

/** The server's reason, as it wrote it: a field's own message first (a measurement it could not read). */
export function serverMessage(error: unknown): string {
  const data = (error as { response?: { data?: { notice?: { message?: string }; record?: { errors?: Record<string, { message?: string }> } } } }).response
    ?.data;
  return data?.record?.errors?.measured_value?.message ?? data?.notice?.message ?? 'The server did not answer. Check the connection and try again.';
}

/** Whether the control an answer belongs to is still on the page (a signed-off step leaves it). */
export function placed(at: string, data: MyWorkData): boolean {
  if (at === 'banner') return data.clockedIn !== null;
  if (at.startsWith('check-')) return data.steps.some((s) => s.checks.some((c) => `check-${c.id}` === at));
  return data.steps.some((s) => `step-${s.kind}-${s.id}` === at);
}

/** An answer in place: announced as it appears (an alert for a refusal, a status for a confirmation). */
export const AnswerBox: React.FC<{ answer: Answer; id?: string }> = ({ answer, id }) => (
  <Box
    id={id}
    mt="default"
    data-testid="my-work-message"
    data-variant={answer.variant}
    role={answer.variant === 'danger' ? 'alert' : 'status'}
    style={{
      width: '100%',
      padding: '10px 14px',
      borderRadius: 4,
      fontSize: 16,
      lineHeight: 1.4,
      overflowWrap: 'anywhere',
      background: answer.variant === 'danger' ? '#fef2f2' : '#ecfdf5',
      borderLeft: `4px solid ${answer.variant === 'danger' ? '#b91c1c' : '#047857'}`,
      color: answer.variant === 'danger' ? '#7f1d1d' : '#064e3b',
    }}
  >
    {answer.text}
  </Box>
);

/** The answer, when it belongs to the control at `at`; controls point at it by its id (answer-<at>). */
export const AnswerAt: React.FC<{ answer: Answer | null; at: string }> = ({ answer, at }) =>
  answer && answer.at === at ? <AnswerBox answer={answer} id={`answer-${at}`} /> : null;
