import React, { useEffect, useId, useRef, useState } from 'react';
import { useTranslation, type CurrentAdmin } from 'adminjs';
import { Avatar, Box, Icon, SmallText, Title } from '@adminjs/design-system';
import { VISUALLY_HIDDEN } from './visually-hidden.js';

interface Props {
  session: CurrentAdmin;
  paths: { logoutPath: string };
}

const COLOR = { text: '#0C1E29', muted: '#454655', border: '#C0C0CA', surface: '#FFFFFF', hover: '#F4F4F6' };

/**
 * The signed-in person and "Log out", at the right of the top bar. AdminJS's own (a hover
 * drop-down) opens for a mouse only, and its name and role take half a phone's width from the
 * search. This one is a button that opens a menu by click, tap or keyboard (Escape closes it);
 * on a narrow screen the button shows the initial only and the menu names the person.
 */
const LoggedIn: React.FC<Props> = ({ session, paths }) => {
  const { translateButton } = useTranslation();
  const id = useId();
  const [open, setOpen] = useState(false);
  const box = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const name = session.email ?? '';
  const title = session.title ?? '';

  useEffect(() => {
    if (!open) return undefined;
    const onPointer = (event: MouseEvent) => {
      if (!box.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  return (
    <div
      ref={box}
      data-css="logged-in"
      style={{ position: 'relative', flexShrink: 0 }}
      onKeyDown={(event: React.KeyboardEvent) => {
        if (event.key === 'Escape' && open) {
          setOpen(false);
          button.current?.focus();
        }
      }}
      onBlur={(event: React.FocusEvent) => {
        if (!box.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={`${id}-menu`}
        data-testid="user-menu-button"
        onClick={() => setOpen((v) => !v)}
        style={{
          display: 'flex',
          alignItems: 'center',
          gap: 12,
          height: 56,
          padding: '0 8px',
          background: 'transparent',
          border: 0,
          cursor: 'pointer',
          textAlign: 'right',
          color: COLOR.text,
        }}
      >
        <Box display={['none', 'none', 'block']} style={{ maxWidth: 220, overflow: 'hidden' }}>
          <Title style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{name}</Title>
          {title && <SmallText style={{ whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{title}</SmallText>}
        </Box>
        <Avatar alt="" aria-hidden="true">
          {name.slice(0, 1).toUpperCase()}
        </Avatar>
        {/* Named by what it shows (name and title) plus what it opens, so the name contains the visible text (voice control). */}
        <span style={VISUALLY_HIDDEN}> account menu</span>
      </button>
      <div
        id={`${id}-menu`}
        role="menu"
        aria-label="Account"
        hidden={!open}
        style={{
          display: open ? 'block' : 'none',
          position: 'absolute',
          right: 0,
          top: '100%',
          minWidth: 200,
          zIndex: 60,
          background: COLOR.surface,
          border: `1px solid ${COLOR.border}`,
          borderRadius: 4,
          boxShadow: '0 6px 20px rgba(12, 30, 41, 0.18)',
        }}
      >
        <div role="presentation" style={{ padding: '10px 14px', borderBottom: `1px solid ${COLOR.border}` }}>
          <div style={{ fontWeight: 600, color: COLOR.text, overflowWrap: 'anywhere' }}>{name}</div>
          {title && <div style={{ fontSize: 12, color: COLOR.muted }}>{title}</div>}
        </div>
        <a
          role="menuitem"
          href={paths.logoutPath}
          data-testid="user-menu-logout"
          // The log-out page asks before it signs out (http/routes/login.routes.ts): a full page load.
          style={{ display: 'flex', alignItems: 'center', gap: 8, padding: '10px 14px', color: COLOR.text, textDecoration: 'none' }}
        >
          <Icon icon="LogOut" />
          {translateButton('logout')}
        </a>
      </div>
    </div>
  );
};

export default LoggedIn;
