import React, { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';
import { useNavigate } from 'react-router';
import { Box, Button, H3, Label, MessageBox, Text, TextArea } from '@adminjs/design-system';
import { recordUrl } from './panel-urls.js';

interface Answer {
  notice?: { message: string; type?: 'success' | 'info' | 'error' };
  redirectUrl?: string;
}

const api = new ApiClient();

interface Props {
  record: { id: string; params: Record<string, unknown> };
  resource: { id: string };
  action: { name: string };
}

/**
 * Deactivate or Reactivate one account: what it means for the person, in their name, and one
 * button that says what it does (src/resources/user-activation.actions.ts). Reactivating is asked
 * of another administrator, with the reason given here.
 */
const UserActivation: React.FC<Props> = ({ record, resource, action }) => {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();
  const navigate = useNavigate();
  const name = String(record.params.full_name ?? record.params.username ?? `user #${record.id}`);
  const username = String(record.params.username ?? '');
  const reactivate = action.name === 'reactivate';

  // Within the panel (no page load), so that the notice naming the person stays on screen.
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
        data: { version: record.params.version, ...(reactivate ? { reason } : {}) },
      });
      const answer = response.data as Answer;
      if (answer.notice?.type === 'error') {
        setError(answer.notice.message);
        return;
      }
      if (answer.notice) addNotice({ message: answer.notice.message, type: answer.notice.type ?? 'success' });
      navigate(answer.redirectUrl ?? recordUrl('users', record.id));
    } catch (e) {
      setError((e as { response?: { data?: Answer } }).response?.data?.notice?.message ?? 'The account could not be changed: nothing was saved.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box as="form" onSubmit={submit} variant="card" p="xl" data-testid="user-activation" data-action={action.name}>
      <H3>
        {reactivate ? 'Reactivate' : 'Deactivate'} {name}
        {username ? ` (${username})` : ''}?
      </H3>
      {reactivate ? (
        <Text mb="lg">
          {name} will be able to sign in again with their password. Another administrator must approve this: your request goes to them, and the account stays
          deactivated until one of them signs it.
        </Text>
      ) : (
        <Text mb="lg">
          {name} can no longer sign in, and a session they have open ends at their next click. Their records, signatures and history stay as they are.
          Reactivating the account later needs a second administrator.
        </Text>
      )}
      {reactivate ? (
        <>
          <Label htmlFor="activation-reason">Reason for the approving administrator (optional)</Label>
          <TextArea
            id="activation-reason"
            name="reason"
            width="100%"
            mb="lg"
            value={reason}
            onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => setReason(e.target.value)}
          />
        </>
      ) : null}
      {error ? (
        <Box role="alert" mb="lg" data-testid="activation-error">
          <MessageBox variant="danger" message={error} />
        </Box>
      ) : null}
      <Box flex style={{ gap: 12 }}>
        <Button type="submit" variant={reactivate ? 'contained' : 'danger'} disabled={busy} data-testid="activation-confirm">
          {reactivate ? `Ask to reactivate ${name}` : `Deactivate ${name}`}
        </Button>
        <Button type="button" variant="text" disabled={busy} onClick={() => navigate(recordUrl('users', record.id))}>
          Cancel
        </Button>
      </Box>
    </Box>
  );
};

export default UserActivation;
