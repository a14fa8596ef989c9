import React, { useEffect, useRef, useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';
import { Box, Button, FormGroup, FormMessage, Input, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { ConfirmDialog } from './confirm-dialog.js';
import { pageUrl } from './panel-urls.js';

export type Decision = 'approve' | 'reject' | 'withdraw';

interface Props {
  approvalId: string;
  decision: Decision;
  /** The request as the decider knows it: "#12 Releasing a traveler to the floor: Traveler T-26003 (…)". */
  what: string;
  /** Closes the form without deciding (My approvals shows it in place). */
  onCancel?: () => void;
}

interface DecisionAnswer {
  notice?: { message: string; type?: 'success' | 'info' | 'error' };
  redirectUrl?: string;
  refusal?: { status: number; code: string };
}

const api = new ApiClient();

const WORDS: Record<Decision, { button: string; confirm: string; title: string; meaning: string }> = {
  approve: { button: 'Sign and approve', confirm: 'Yes, approve', title: 'Approve this request?', meaning: 'approved' },
  reject: { button: 'Sign and reject', confirm: 'Yes, reject', title: 'Reject this request?', meaning: 'rejected' },
  withdraw: { button: 'Withdraw request', confirm: 'Yes, withdraw', title: 'Withdraw your request?', meaning: 'withdrawn' },
};

/**
 * Approve, reject or withdraw one request. Approving and rejecting are signed: the decider
 * types their password again, and the stored signature shows their printed name, the time and
 * what the signature means. The decision is confirmed once more before it is sent; afterwards
 * the decider is taken back to My approvals with the next request open. A refused signature
 * keeps the comment that was typed; only the password is cleared.
 */
export const DecisionForm: React.FC<Props> = ({ approvalId, decision, what, onCancel }) => {
  const [password, setPassword] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [fieldError, setFieldError] = useState<{ field: 'comment' | 'password'; message: string } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const passwordRef = useRef<HTMLInputElement>(null);
  const commentRef = useRef<HTMLTextAreaElement>(null);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const signs = decision !== 'withdraw';
  const words = WORDS[decision];
  const ids = { comment: `decision-comment-${approvalId}`, password: `decision-password-${approvalId}` };

  // The first thing to type: the reason to reject, else the signature.
  useEffect(() => {
    (decision === 'reject' ? commentRef.current : passwordRef.current)?.focus();
  }, [decision]);

  const check = (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    if (decision === 'reject' && comment.trim().length < 3) {
      setFieldError({ field: 'comment', message: 'Give the reason for rejecting (at least 3 characters): the requester needs to know what to change.' });
      commentRef.current?.focus();
      return;
    }
    if (signs && password === '') {
      setFieldError({ field: 'password', message: 'Type your password: it is your signature.' });
      passwordRef.current?.focus();
      return;
    }
    setFieldError(null);
    setConfirming(true);
  };

  const send = async () => {
    setBusy(true);
    try {
      const response = await api.recordAction({
        resourceId: 'approvals',
        recordId: approvalId,
        actionName: decision,
        method: 'post',
        data: { password, comment },
      });
      const answer = response.data as DecisionAnswer;
      if (answer.notice?.type === 'error') throw Object.assign(new Error(answer.notice.message), { response: { data: answer } });
      setConfirming(false);
      if (answer.notice) addNotice({ message: answer.notice.message, type: 'success' });
      navigate(answer.redirectUrl ?? pageUrl('myApprovals'));
    } catch (e) {
      const answer = (e as { response?: { data?: DecisionAnswer } }).response?.data;
      setConfirming(false);
      setError(answer?.notice?.message ?? 'The decision could not be recorded: nothing was signed. Try again.');
      // What was typed stays; a password that was refused is typed again.
      setPassword('');
      const signature = answer?.refusal?.code === 'signature' || answer?.refusal?.code === 'locked';
      setTimeout(() => (signature || !signs ? passwordRef.current : commentRef.current)?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box as="form" onSubmit={check} noValidate data-testid="decision-form" data-decision={decision}>
      <FormGroup error={fieldError?.field === 'comment'}>
        <Label htmlFor={ids.comment} required={decision === 'reject'}>
          {decision === 'reject' ? 'Reason for rejecting' : 'Comment (optional)'}
        </Label>
        <TextArea
          id={ids.comment}
          name="comment"
          ref={commentRef}
          width="100%"
          value={comment}
          aria-invalid={fieldError?.field === 'comment' || undefined}
          onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setComment(e.target.value)}
        />
        <FormMessage role={fieldError?.field === 'comment' ? 'alert' : undefined}>{fieldError?.field === 'comment' ? fieldError.message : null}</FormMessage>
      </FormGroup>
      {signs ? (
        <FormGroup error={fieldError?.field === 'password'}>
          <Label htmlFor={ids.password} required>
            Your password (electronic signature)
          </Label>
          <Input
            id={ids.password}
            name="password"
            type="password"
            ref={passwordRef}
            autoComplete="current-password"
            width="100%"
            value={password}
            aria-invalid={fieldError?.field === 'password' || undefined}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPassword(e.target.value)}
          />
          <FormMessage role={fieldError?.field === 'password' ? 'alert' : undefined}>
            {fieldError?.field === 'password' ? fieldError.message : null}
          </FormMessage>
          <Text fontSize="sm" color="grey80" mt="sm">
            Signing records your printed name, the date and time, and that you {words.meaning} this change.
          </Text>
        </FormGroup>
      ) : null}
      {error ? (
        <Box role="alert" data-testid="decision-error" mb="lg">
          <MessageBox variant="danger" message={error} />
        </Box>
      ) : null}
      <Box flex style={{ gap: 12 }}>
        <Button type="submit" variant={decision === 'reject' ? 'danger' : 'contained'} disabled={busy} data-testid="decision-submit">
          {words.button}
        </Button>
        {onCancel ? (
          <Button type="button" variant="text" onClick={onCancel} disabled={busy}>
            Cancel
          </Button>
        ) : null}
      </Box>
      <ConfirmDialog
        open={confirming}
        title={words.title}
        confirmLabel={words.confirm}
        variant={decision === 'reject' ? 'danger' : 'contained'}
        busy={busy}
        onConfirm={() => void send()}
        onCancel={() => setConfirming(false)}
        testId="decision-confirm"
      >
        <Text mb="md">{what}</Text>
        {signs ? (
          <Text>
            You sign that you {words.meaning} it{decision === 'approve' ? ': the change is applied at once' : ': the requester is told your reason'}. A signed
            decision cannot be taken back.
          </Text>
        ) : (
          <Text>The request is closed and nothing is changed.</Text>
        )}
        {comment.trim() ? <Text mt="md">Your comment: “{comment.trim()}”</Text> : null}
      </ConfirmDialog>
    </Box>
  );
};
