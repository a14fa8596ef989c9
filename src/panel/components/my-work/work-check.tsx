import React from 'react';
import { Badge, Box, Button, Text } from '@adminjs/design-system';
import type { WorkCheck as Check } from '../../../travelers/shop-floor.service.js';
import { AnswerAt, type Answer } from './work-answers.js';
import { big, limits, type Act } from './work-format.js';

interface WorkCheckProps {
  check: Check;
  answer: Answer | null;
  /** An action is under way: every control waits for it. */
  doing: boolean;
  /** What is typed in the value, when it differs from what the server stored. */
  typed: string | undefined;
  onType: (value: string) => void;
  onRecord: () => void;
  act: Act;
}

/** One check of a step's checklist: a measurement with its Record button, or a tick; then where it stands. */
export const WorkCheckItem: React.FC<WorkCheckProps> = ({ check: c, answer, doing, typed, onType, onRecord, act }) => {
  const at = `check-${c.id}`;
  const inputId = `check-value-${c.id}`;
  const shown = answer?.at === at;
  return (
    <Box py="default" data-testid="work-check" data-check-id={c.id} style={{ borderTop: '1px solid #e5e7eb' }}>
      {c.requiresMeasurement ? (
        // A form: Enter in the value records it, as the Record button does.
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (!doing) onRecord();
          }}
          style={{ display: 'flex', flexWrap: 'wrap', alignItems: 'center', gap: 12 }}
        >
          <label htmlFor={inputId} style={{ fontSize: 18, lineHeight: 1.4, flexBasis: '100%' }}>
            {c.sequence}. {c.description}
            {limits(c) ? <span style={{ color: '#4b5563' }}> ({limits(c)})</span> : null}
          </label>
          <input
            id={inputId}
            type="text"
            inputMode="decimal"
            enterKeyHint="done"
            autoComplete="off"
            data-testid="check-value"
            aria-invalid={shown && answer?.variant === 'danger' ? true : undefined}
            aria-describedby={shown ? `answer-${at}` : undefined}
            value={typed ?? (c.measuredValue === null ? '' : String(c.measuredValue))}
            onChange={(e) => onType(e.target.value)}
            style={{ fontSize: 18, padding: '10px 12px', width: 140, maxWidth: '100%' }}
          />
          <Button type="submit" variant="contained" style={big} disabled={doing} data-testid="check-record">
            Record
          </Button>
        </form>
      ) : (
        <label style={{ fontSize: 18, lineHeight: 1.4, display: 'flex', alignItems: 'center', gap: 12 }}>
          <input
            type="checkbox"
            checked={c.done}
            disabled={doing}
            data-testid="check-tick"
            style={{ width: 28, height: 28, flexShrink: 0 }}
            aria-describedby={shown ? `answer-${at}` : undefined}
            onChange={(e) => void act(at, 'traveler_sub_steps', c.id, 'recordCheck', { done: e.target.checked ? 'true' : 'false' })}
          />
          {c.sequence}. {c.description}
        </label>
      )}
      <Box mt="sm" flex flexDirection="row" alignItems="center" style={{ gap: 8, flexWrap: 'wrap' }}>
        {c.done && !c.outOfLimits ? (
          <Badge variant="success" data-testid="check-done">
            Done
          </Badge>
        ) : null}
        {c.outOfLimits ? (
          <Badge variant="danger" data-testid="out-of-limits">
            OUT OF LIMITS
          </Badge>
        ) : null}
        {c.outOfLimits && !c.disposition ? <Text color="error">Quality must record a disposition before sign-off.</Text> : null}
        {c.disposition ? (
          <Text data-testid="check-disposition">
            Disposition: {c.disposition.replace(/_/g, ' ')}
            {c.dispositionNote ? ` (${c.dispositionNote})` : ''}
          </Text>
        ) : null}
      </Box>
      <AnswerAt answer={answer} at={at} />
    </Box>
  );
};
