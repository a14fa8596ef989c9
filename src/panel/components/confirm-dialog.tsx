import React, { useEffect, useId, useRef } from 'react';
import { Box, Button, H4, Text } from '@adminjs/design-system';

interface Props {
  open: boolean;
  title: string;
  /** What happens if confirmed, said plainly. */
  children: React.ReactNode;
  confirmLabel: string;
  cancelLabel?: string;
  variant?: 'contained' | 'danger';
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  testId?: string;
}

/**
 * "Are you sure?" before something that cannot be taken back (a signed decision, deactivating an
 * account). A native modal <dialog>: the browser keeps focus inside it, Escape cancels, and
 * screen readers announce it with its title and text.
 */
export const ConfirmDialog: React.FC<Props> = ({
  open,
  title,
  children,
  confirmLabel,
  cancelLabel = 'Go back',
  variant = 'contained',
  busy,
  onConfirm,
  onCancel,
  testId,
}) => {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const textId = useId();

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={textId}
      data-testid={testId ?? 'confirm-dialog'}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      style={{ border: 'none', borderRadius: 8, padding: 0, maxWidth: 560, width: 'calc(100% - 32px)', boxShadow: '0 12px 40px rgba(12, 30, 41, 0.35)' }}
    >
      {open ? (
        <Box p="xl">
          <H4 id={titleId} mb="lg">
            {title}
          </H4>
          <Box id={textId} mb="xl">
            {typeof children === 'string' ? <Text>{children}</Text> : children}
          </Box>
          <Box flex justifyContent="flex-end" style={{ gap: 12 }}>
            <Button type="button" variant="outlined" onClick={onCancel} disabled={busy}>
              {cancelLabel}
            </Button>
            {/* Focused first: the person already chose this on the form; Enter confirms, Escape goes back. */}
            <Button type="button" variant={variant} onClick={onConfirm} disabled={busy} autoFocus data-testid="confirm-dialog-confirm">
              {busy ? 'Working…' : confirmLabel}
            </Button>
          </Box>
        </Box>
      ) : null}
    </dialog>
  );
};
