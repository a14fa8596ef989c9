import { useState } from 'react';
import { ApiClient, useNotice } from 'adminjs';

type FieldErrors = Record<string, { message: string }>;

interface ActionResult {
  notice?: { message: string; type?: 'success' | 'info' | 'error' };
  redirectUrl?: string;
  record?: { errors?: FieldErrors };
}

const api = new ApiClient();

/**
 * POSTs a record action's form and handles the answer as our workflow actions give it
 * (src/resources/workflow-refusal.ts): a refusal keeps the form open with the reason and the
 * field messages; success (or "submitted for approval") shows the notice and follows the
 * redirect. A refusal may come as an error status (403, 409) or inside a 200 body.
 */
export function useActionPost(target: { resourceId: string; recordId: string; actionName: string }, fallback: string) {
  const [errors, setErrors] = useState<FieldErrors>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const addNotice = useNotice();

  const post = async (data: Record<string, unknown>, afterwards?: string) => {
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      const response = await api.recordAction({ ...target, method: 'post', data });
      const result = response.data as ActionResult;
      if (result.notice?.type === 'error') {
        setErrors(result.record?.errors ?? {});
        setError(result.notice.message);
        return;
      }
      if (result.notice) addNotice({ message: result.notice.message, type: result.notice.type ?? 'success' });
      const next = result.redirectUrl ?? afterwards;
      if (next) window.location.href = next;
    } catch (e) {
      const result = (e as { response?: { data?: ActionResult } }).response?.data;
      setErrors(result?.record?.errors ?? {});
      setError(result?.notice?.message ?? fallback);
    } finally {
      setBusy(false);
    }
  };

  return { post, errors, error, busy };
}
