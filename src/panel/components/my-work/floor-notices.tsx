import React from 'react';
import { Box, Button, Link, Text } from '@adminjs/design-system';
import type { MyWork as MyWorkData } from '../../../travelers/shop-floor.service.js';
import { pageUrl } from '../panel-urls.js';
import { AnswerAt, type Answer } from './work-answers.js';
import { big, since, stepResource, type Act } from './work-format.js';

/** What quality decided on the person's measurements, and how many of their checks still wait for it. */
export const DispositionNotices: React.FC<{ data: MyWorkData }> = ({ data }) => (
  <>
    {(data.decided ?? []).map((d) => (
      <Box
        key={d.subStepId}
        mb="lg"
        role="status"
        data-testid="disposition-decided"
        data-disposition={d.disposition}
        style={{
          padding: '12px 16px',
          borderRadius: 4,
          fontSize: 17,
          lineHeight: 1.45,
          background: d.disposition === 'use_as_is' ? '#ecfdf5' : '#fff7ed',
          borderLeft: `6px solid ${d.disposition === 'use_as_is' ? '#047857' : '#c2410c'}`,
        }}
      >
        {d.message}
      </Box>
    ))}

    {data.awaitingDisposition ? (
      <Box
        mb="lg"
        data-testid="awaiting-disposition"
        style={{ padding: '12px 16px', borderRadius: 4, background: '#fef2f2', borderLeft: '6px solid #b91c1c', fontSize: 17, lineHeight: 1.45 }}
      >
        {data.awaitingDisposition} {data.awaitingDisposition === 1 ? 'check awaits' : 'checks await'} quality’s disposition.{' '}
        <Link href={pageUrl('dispositionQueue')}>Open the disposition queue</Link>
      </Box>
    ) : null}
  </>
);

/** The person's open clock-in, wherever it is, with the button that ends it. */
export const ClockInBanner: React.FC<{ data: MyWorkData; answer: Answer | null; doing: boolean; act: Act }> = ({ data, answer, doing, act }) => {
  const open = data.clockedIn;
  if (!open) return null;
  return (
    <Box variant="card" p="lg" mb="xl" data-testid="clock-in-banner" style={{ background: '#ecfdf5', borderLeft: '6px solid #059669' }}>
      <Box flex flexDirection="row" alignItems="center" justifyContent="space-between" style={{ gap: 12, flexWrap: 'wrap' }}>
        <Text fontSize="xl" fontWeight="bold">
          Clocked in on {open.travelerNumber} {open.stepLabel} since {since(open.since, data.asOf)}
        </Text>
        {open.stepKind && open.stepId !== null ? (
          <Button
            variant="contained"
            style={big}
            disabled={doing}
            data-testid="banner-clock-out"
            aria-describedby={answer?.at === 'banner' ? 'answer-banner' : undefined}
            onClick={() => void act('banner', stepResource(open.stepKind!), open.stepId!, 'clockOut')}
          >
            Clock out
          </Button>
        ) : null}
      </Box>
      <AnswerAt answer={answer} at="banner" />
    </Box>
  );
};
