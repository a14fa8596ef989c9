import React, { useRef, useState } from 'react';
import { Box, Button, Input, Link, MessageBox } from '@adminjs/design-system';
import { recordUrl } from '../panel-urls.js';
import { API } from './children-api.js';

const errorText: React.CSSProperties = { color: '#b91c1c', fontSize: 12, marginTop: 2, display: 'block' };

/** The row under a part's revisions that adds a draft revision in place, and says what became of it. */
export const AddRevisionForm: React.FC<{ partId: string; onAdded: () => Promise<void> }> = ({ partId, onAdded }) => {
  const [draft, setDraft] = useState({ revision_code: '', notes: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [outcome, setOutcome] = useState<{ type: 'success' | 'info' | 'error'; message: string; link?: string; linkText?: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const codeRef = useRef<HTMLInputElement>(null);

  const add = async (event: React.FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const response = await fetch(`${API}/parts/${partId}/revisions`, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify(draft),
      });
      const body = (await response.json().catch(() => ({}))) as {
        id?: number;
        message?: string;
        error?: string;
        fields?: Record<string, string>;
        approvalId?: number;
      };
      if (response.status === 201) {
        setErrors({});
        setDraft({ revision_code: '', notes: '' });
        setOutcome({
          type: 'success',
          message: body.message ?? 'Revision added.',
          link: recordUrl('revisions', String(body.id)),
          linkText: 'Open it to write its routing',
        });
        await onAdded();
        codeRef.current?.focus();
      } else if (response.status === 202) {
        setErrors({});
        setOutcome({
          type: 'info',
          message: body.message ?? 'Submitted for approval.',
          link: recordUrl('approvals', String(body.approvalId)),
          linkText: `Open request #${body.approvalId}`,
        });
      } else {
        setErrors(body.fields ?? {});
        setOutcome({ type: 'error', message: `Not saved: ${Object.values(body.fields ?? {}).join(' ') || body.error || 'the change was refused.'}` });
      }
    } catch {
      setOutcome({ type: 'error', message: 'NEXUS could not be reached: nothing was saved.' });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Box variant="card" p="lg" style={{ border: '1px dashed #9ca3af' }}>
      <form
        onSubmit={(e) => void add(e)}
        style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'flex-start' }}
        aria-label="Add a revision"
        data-testid="add-revision"
      >
        <span>
          <label htmlFor="add-revision-code" style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
            New revision
          </label>
          <Input
            id="add-revision-code"
            ref={codeRef}
            value={draft.revision_code}
            style={{ width: 90 }}
            aria-invalid={!!errors.revision_code}
            aria-describedby={errors.revision_code ? 'add-revision-code-error' : undefined}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setDraft((d) => ({ ...d, revision_code: e.target.value }))}
          />
          {errors.revision_code ? (
            <span id="add-revision-code-error" style={errorText}>
              {errors.revision_code}
            </span>
          ) : null}
        </span>
        <span>
          <label htmlFor="add-revision-notes" style={{ display: 'block', fontSize: 12, marginBottom: 2 }}>
            Notes (the change, e.g. ECO number)
          </label>
          <Input
            id="add-revision-notes"
            value={draft.notes}
            style={{ width: 360 }}
            aria-invalid={!!errors.notes}
            aria-describedby={errors.notes ? 'add-revision-notes-error' : undefined}
            onChange={(e: React.ChangeEvent<HTMLInputElement>) => setDraft((d) => ({ ...d, notes: e.target.value }))}
          />
          {errors.notes ? (
            <span id="add-revision-notes-error" style={errorText}>
              {errors.notes}
            </span>
          ) : null}
        </span>
        <span style={{ alignSelf: 'flex-end' }}>
          <Button type="submit" variant="contained" disabled={busy}>
            Add revision (draft)
          </Button>
        </span>
      </form>
      {outcome ? (
        <Box mt="sm" role={outcome.type === 'error' ? 'alert' : 'status'} data-testid="add-revision-outcome">
          <MessageBox variant={outcome.type === 'error' ? 'danger' : outcome.type} size="sm" message={outcome.message}>
            {outcome.link ? <Link href={outcome.link}>{outcome.linkText}</Link> : null}
          </MessageBox>
        </Box>
      ) : null}
    </Box>
  );
};
