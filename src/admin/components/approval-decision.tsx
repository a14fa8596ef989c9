import React, { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { Box, Button, H3, Input, Label, Text, TextArea, MessageBox } from '@adminjs/design-system';
import { ChangesWithHistory } from './approval-changes.js';

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string; label?: string };
}

const api = new ApiClient();

/**
 * Approve, reject or withdraw one request. Approving and rejecting are signed: the decider
 * types their password again, and the stored signature shows their printed name, the time and
 * what the signature means.
 */
const ApprovalDecision: React.FC<Props> = ({ record, resource, action }) => {
  const [password, setPassword] = useState('');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const signs = action.name !== 'withdraw';
  const meaning = action.name === 'approve' ? 'approved' : action.name === 'reject' ? 'rejected' : 'withdrawn';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const response = await api.recordAction({
        resourceId: resource.id,
        recordId: record.id,
        actionName: action.name,
        method: 'post',
        data: { password, comment },
      });
      const data = response.data as { notice?: { message: string }; redirectUrl?: string };
      if (data.notice) addNotice({ message: data.notice.message, type: 'success' });
      window.location.href = data.redirectUrl ?? `/admin/resources/approvals/records/${record.id}/show`;
    } catch (e) {
      const data = (e as { response?: { data?: { notice?: { message?: string } } } }).response?.data;
      setError(data?.notice?.message ?? 'The decision could not be recorded.');
      setPassword('');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="approval-decision">
      <H3>Request #{record.id}: {String(record.params.summary ?? '')}</H3>
      {record.params.reason ? <Text mb="lg">Reason given: {String(record.params.reason)}</Text> : null}
      <Box mb="xl"><ChangesWithHistory approvalId={record.id} params={record.params} /></Box>
      <Label htmlFor="comment" required={action.name === 'reject'}>
        {action.name === 'reject' ? 'Reason for rejecting' : 'Comment (optional)'}
      </Label>
      <TextArea id="comment" name="comment" width="100%" value={comment} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setComment(e.target.value)} mb="lg" />
      {signs ? (
        <>
          <Label htmlFor="password" required>Your password (electronic signature)</Label>
          <Input id="password" name="password" type="password" autoComplete="current-password" width="100%" value={password}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setPassword(e.target.value)} mb="sm" />
          <Text fontSize="sm" color="grey60" mb="lg">
            Signing records your printed name, the date and time, and that you {meaning} this change.
          </Text>
        </>
      ) : null}
      {error ? <MessageBox variant="danger" message={error} mb="lg" /> : null}
      <Button type="submit" variant={action.name === 'reject' ? 'danger' : 'contained'} disabled={busy}>
        {action.name === 'approve' ? 'Sign and approve' : action.name === 'reject' ? 'Sign and reject' : 'Withdraw request'}
      </Button>
    </Box>
  );
};

export default ApprovalDecision;
