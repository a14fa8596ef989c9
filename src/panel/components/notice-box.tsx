import React, { useEffect, useMemo, useState } from 'react';
import { useDispatch, useSelector } from 'react-redux';
import { useTranslation } from 'adminjs';
import { Box, Button, Icon, Text } from '@adminjs/design-system';

interface Notice {
  id: string;
  message: string;
  type?: 'danger' | 'warning' | 'success' | 'info' | 'error';
  resourceId?: string;
  options?: Record<string, unknown>;
  body?: React.ReactNode;
}

type Variant = 'danger' | 'warning' | 'success' | 'info';

const LOOK: Record<Variant, { icon: string; bg: string; iconBg: string }> = {
  success: { icon: 'Check', bg: 'successLight', iconBg: 'success' },
  danger: { icon: 'XCircle', bg: 'errorLight', iconBg: 'error' },
  info: { icon: 'Info', bg: 'infoLight', iconBg: 'info' },
  warning: { icon: 'AlertCircle', bg: 'warningLight', iconBg: 'warning' },
};

// AdminJS drops a notice after 3 s. A refusal stays longer: it has to be read, often twice.
const SHOWN_MS: Record<Variant, number> = { success: 4000, info: 4000, warning: 8000, danger: 10000 };

/**
 * One refusal or confirmation. A refusal is an alert (read out at once, interrupting), anything
 * else a status (read out when the reader is idle); AdminJS gave neither, so a screen reader said
 * nothing when a save was refused. It stays while the pointer or focus is on it, and its close
 * button has a name.
 */
const NoticeElement: React.FC<{ notice: Notice; drop: () => void }> = ({ notice, drop }) => {
  const { tm, i18n } = useTranslation();
  const [held, setHeld] = useState(false);
  const message = useMemo(() => tm(notice.message, notice.resourceId, notice.options), [notice.id, i18n.language]);
  const variant: Variant = notice.type === 'error' ? 'danger' : (notice.type ?? 'info');
  const isError = variant === 'danger';
  const look = LOOK[variant];

  useEffect(() => {
    if (held) return undefined;
    const timer = window.setTimeout(drop, SHOWN_MS[variant]);
    return () => window.clearTimeout(timer);
  }, [held, notice.id]);

  return (
    <Box
      role={isError ? 'alert' : 'status'}
      aria-live={isError ? 'assertive' : 'polite'}
      aria-atomic="true"
      data-testid="notice"
      data-variant={variant}
      bg={look.bg}
      color="text"
      px="xl"
      py="lg"
      style={{ borderRadius: 4, boxShadow: '0 2px 8px rgba(0,0,0,0.15)' }}
      onMouseEnter={() => setHeld(true)}
      onMouseLeave={() => setHeld(false)}
      onFocus={() => setHeld(true)}
      onBlur={() => setHeld(false)}
    >
      <Box flex alignItems="center">
        <Icon icon={look.icon} bg={look.iconBg} color="white" p="sm" mr="xl" borderRadius="50%" />
        <Box flexGrow={1}>
          <Text fontWeight={notice.body ? 500 : 400} style={{ whiteSpace: 'pre-wrap' }}>
            {message}
          </Text>
        </Box>
        <Button type="button" variant="text" size="icon" rounded color={variant} ml="xl" onClick={drop} aria-label="Dismiss this message">
          <Icon icon="X" />
        </Button>
      </Box>
      {notice.body ? <Box ml="x3">{notice.body}</Box> : null}
    </Box>
  );
};

/**
 * The panel's notices (AdminJS's NoticeBox, adminjs 7.8). Besides the roles above, they are
 * pinned to the viewport: AdminJS placed them at the top of the scrolled page, so on a phone a
 * refusal for a button far down the page appeared where nobody could see it. Only the latest
 * is shown.
 */
const NoticeBox: React.FC = () => {
  const notices = useSelector((state: { notices: Notice[] }) => state.notices);
  const dispatch = useDispatch();
  const drop = (noticeId: string) => dispatch({ type: 'DROP_NOTICE', data: { noticeId } });
  // The newest answer replaces the ones before: a refusal already put right must not stay up
  // beside the confirmation that followed it.
  useEffect(() => {
    for (const old of notices.slice(0, -1)) drop(old.id);
  }, [notices]);
  // Always there, even empty: a screen reader announces what is added to a live region it
  // already knows, not always a region that appears with its text.
  return (
    <Box
      aria-live="polite"
      data-testid="notice-wrapper"
      data-css="notice-wrapper"
      flex
      flexDirection="column"
      // Just under the top bar (its search and account menu stay usable), right-aligned.
      style={{ position: 'fixed', top: 72, right: 8, width: 'min(480px, calc(100vw - 16px))', gap: 4, zIndex: 2000 }}
    >
      {notices.map((notice) => (
        <NoticeElement key={notice.id} notice={notice} drop={() => drop(notice.id)} />
      ))}
    </Box>
  );
};

export default NoticeBox;
