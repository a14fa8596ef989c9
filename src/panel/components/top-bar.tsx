import React, { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useSelector } from 'react-redux';
import { useNavigate } from 'react-router-dom';
import { LoggedIn, type ReduxState } from 'adminjs';
import { Box, Icon } from '@adminjs/design-system';
import { panelUrl } from './panel-urls.js';

// The shape sent by GET /admin/api/search (src/http/routes/global-search.routes.ts).
interface Hit {
  id: number;
  title: string;
  detail: string;
  href: string;
}
interface Group {
  kind: string;
  label: string;
  hits: Hit[];
  more: boolean;
  listHref: string;
}
interface SearchAnswer {
  text: string;
  groups: Group[];
  notes: string[];
}

/** One choice in the results: a record, or "all matches" of a kind (its list, searched). */
interface Choice {
  key: string;
  href: string;
  title: string;
  detail: string;
  group: number;
}

const MAX_LENGTH = 100;
const DELAY_MS = 180;

const COLOR = {
  text: '#0C1E29',
  muted: '#454655',
  border: '#C0C0CA',
  focus: '#3040D6',
  active: '#E8EBFD',
  surface: '#FFFFFF',
};

const visuallyHidden: React.CSSProperties = {
  position: 'absolute',
  width: 1,
  height: 1,
  padding: 0,
  margin: -1,
  overflow: 'hidden',
  clip: 'rect(0 0 0 0)',
  whiteSpace: 'nowrap',
  border: 0,
};

/** A phone-sized screen, as the design system's first breakpoint has it. */
function useNarrowScreen(): boolean {
  const query = '(max-width: 576px)';
  const [narrow, setNarrow] = useState(() => typeof window !== 'undefined' && window.matchMedia(query).matches);
  useEffect(() => {
    const media = window.matchMedia(query);
    const onChange = () => setNarrow(media.matches);
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, []);
  return narrow;
}

function choicesOf(answer: SearchAnswer | null): Choice[] {
  if (!answer) return [];
  return answer.groups.flatMap((group, g) => [
    ...group.hits.map((hit) => ({ key: `${group.kind}-${hit.id}`, href: hit.href, title: hit.title, detail: hit.detail, group: g })),
    ...(group.more
      ? [
          {
            key: `${group.kind}-all`,
            href: group.listHref,
            title: `All ${group.label.toLowerCase()} matching “${answer.text}”`,
            detail: 'Opens the list, searched',
            group: g,
          },
        ]
      : []),
  ]);
}

/**
 * The top bar's search: travelers, work orders, parts and customers by number or name, in one
 * box. A combobox as WAI-ARIA describes it: the input owns a listbox of results grouped by kind;
 * arrows move through them, Enter opens the chosen one (the first when none is chosen), Escape
 * closes, and "/" anywhere else puts the cursor in the box. Titles are text nodes, never HTML.
 */
const GlobalSearch: React.FC = () => {
  const navigate = useNavigate();
  const id = useId();
  const inputId = `${id}-input`;
  const listId = `${id}-results`;
  const [text, setText] = useState('');
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const latest = useRef(0);
  const narrow = useNarrowScreen();

  const choices = choicesOf(answer);
  const query = text.trim();

  useEffect(() => {
    if (query === '') {
      setAnswer(null);
      setProblem(null);
      setLoading(false);
      return undefined;
    }
    if (text.length > MAX_LENGTH) {
      setAnswer(null);
      setProblem(`At most ${MAX_LENGTH} characters are searched.`);
      return undefined;
    }
    const ticket = ++latest.current;
    setLoading(true);
    const timer = window.setTimeout(() => {
      fetch(panelUrl(`/api/search?${new URLSearchParams({ q: query }).toString()}`), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
        .then(async (response) => {
          const body = (await response.json()) as SearchAnswer & { error?: string };
          if (ticket !== latest.current) return; // an answer to an older text
          if (!response.ok) {
            setAnswer(null);
            setProblem(body.error ?? `The search failed (${response.status}).`);
          } else {
            setAnswer(body);
            setProblem(null);
          }
          setActive(-1);
          setLoading(false);
        })
        .catch(() => {
          if (ticket !== latest.current) return;
          setProblem('The search could not reach the server.');
          setLoading(false);
        });
    }, DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [query, text.length]);

  // "/" puts the cursor in the box, unless one is typing somewhere already.
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) return;
      event.preventDefault();
      input.current?.focus();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, []);

  const go = useCallback(
    (choice: Choice | undefined) => {
      if (!choice) return;
      setOpen(false);
      setText('');
      setAnswer(null);
      input.current?.blur();
      navigate(choice.href);
    },
    [navigate],
  );

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (choices.length === 0 ? -1 : (i + 1) % choices.length));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (choices.length === 0 ? -1 : i <= 0 ? choices.length - 1 : i - 1));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      go(choices[active >= 0 ? active : 0]);
    } else if (event.key === 'Escape') {
      if (open && query !== '') setOpen(false);
      else setText('');
      setActive(-1);
    }
  };

  const expanded = open && query !== '';
  const optionId = (i: number) => `${id}-option-${i}`;
  const status =
    problem ??
    (loading
      ? 'Searching…'
      : answer && query !== ''
        ? `${answer.groups.length === 0 ? 'Nothing matches.' : `${answer.groups.map((g) => `${g.label}: ${g.hits.length}${g.more ? ' and more' : ''}`).join('; ')}.`}${answer.notes.length ? ` ${answer.notes.join(' ')}` : ''}`
        : '');

  return (
    <div
      ref={box}
      data-testid="global-search"
      style={{ position: 'relative', flex: '1 1 auto', minWidth: 0, maxWidth: 560 }}
      onBlur={(event) => {
        if (!box.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <label htmlFor={inputId} style={visuallyHidden}>
        Search travelers, work orders, parts and customers by number or name
      </label>
      <div style={{ position: 'relative', display: 'flex', alignItems: 'center' }}>
        <span aria-hidden="true" style={{ position: 'absolute', left: 10, display: 'flex', color: COLOR.muted, pointerEvents: 'none' }}>
          <Icon icon="Search" size={16} />
        </span>
        <input
          ref={input}
          id={inputId}
          type="search"
          role="combobox"
          aria-expanded={expanded}
          aria-controls={listId}
          aria-autocomplete="list"
          aria-activedescendant={expanded && active >= 0 ? optionId(active) : undefined}
          aria-describedby={`${id}-status`}
          autoComplete="off"
          spellCheck={false}
          placeholder="Search numbers and names…"
          value={text}
          maxLength={MAX_LENGTH + 1}
          onChange={(event) => {
            setText(event.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
          onKeyDown={onKeyDown}
          data-testid="global-search-input"
          style={{
            width: '100%',
            height: 38,
            padding: '0 10px 0 32px',
            fontSize: 14,
            color: COLOR.text,
            background: COLOR.surface,
            border: `1px solid ${COLOR.border}`,
            borderRadius: 4,
            boxSizing: 'border-box',
            minWidth: 0,
          }}
        />
      </div>
      <div id={`${id}-status`} role="status" aria-live="polite" style={visuallyHidden} data-testid="global-search-status">
        {status}
      </div>
      <div
        id={listId}
        role="listbox"
        aria-label="Search results"
        data-testid="global-search-results"
        hidden={!expanded}
        style={{
          // On a phone the box is narrow and not at the left edge: the results take the screen's width.
          ...(narrow ? { position: 'fixed', top: 60, left: 8, right: 8 } : { position: 'absolute', top: 42, left: 0, width: '100%', minWidth: 360 }),
          maxHeight: '70vh',
          overflowY: 'auto',
          zIndex: 50,
          background: COLOR.surface,
          border: `1px solid ${COLOR.border}`,
          borderRadius: 4,
          boxShadow: '0 6px 20px rgba(12, 30, 41, 0.18)',
          display: expanded ? 'block' : 'none',
        }}
      >
        {expanded && (problem || loading || answer?.notes.length || choices.length === 0) && (
          <div role="presentation" style={{ padding: '8px 12px', fontSize: 13, color: problem ? '#C20012' : COLOR.muted }}>
            {problem ?? (loading && !answer ? 'Searching…' : choices.length === 0 && answer ? 'Nothing matches.' : '')}
            {!problem && answer?.notes.map((note) => <div key={note}>{note}</div>)}
          </div>
        )}
        {answer?.groups.map((group, g) => (
          <div key={group.kind} role="group" aria-labelledby={`${id}-group-${g}`}>
            <div
              id={`${id}-group-${g}`}
              role="presentation"
              style={{ padding: '8px 12px 4px', fontSize: 12, fontWeight: 700, letterSpacing: 0.4, textTransform: 'uppercase', color: COLOR.muted }}
            >
              {group.label}
            </div>
            {choices.map((choice, i) =>
              choice.group !== g ? null : (
                <div
                  key={choice.key}
                  id={optionId(i)}
                  role="option"
                  aria-selected={i === active}
                  data-testid="global-search-option"
                  data-href={choice.href}
                  // Chosen before the input loses focus, which would close the list under the pointer.
                  onMouseDown={(event) => event.preventDefault()}
                  onClick={() => go(choice)}
                  onMouseEnter={() => setActive(i)}
                  style={{
                    padding: '6px 12px',
                    cursor: 'pointer',
                    background: i === active ? COLOR.active : 'transparent',
                    borderLeft: `3px solid ${i === active ? COLOR.focus : 'transparent'}`,
                  }}
                >
                  <div style={{ fontSize: 14, color: COLOR.text, fontWeight: 500, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>
                    {choice.title}
                  </div>
                  {choice.detail && (
                    <div style={{ fontSize: 12, color: COLOR.muted, whiteSpace: 'nowrap', overflow: 'hidden', textOverflow: 'ellipsis' }}>{choice.detail}</div>
                  )}
                </div>
              ),
            )}
          </div>
        ))}
      </div>
    </div>
  );
};

interface Props {
  toggleSidebar?: () => void;
}

/**
 * AdminJS's top bar with the global search in the middle. Its other pieces are AdminJS's own:
 * the menu button (for narrow screens, here a real button) and the signed-in user's menu with
 * "Log out" (LoggedIn). The version line it had is empty in NEXUS and gives way to the search.
 */
const TopBar: React.FC<Props> = ({ toggleSidebar }) => {
  const session = useSelector((state: ReduxState) => state.session);
  const paths = useSelector((state: ReduxState) => state.paths);
  return (
    <Box
      data-css="topbar"
      className="adminjs_NavBar"
      flex
      flexDirection="row"
      alignItems="center"
      flexShrink={0}
      height="navbarHeight"
      bg="container"
      borderBottom="default"
      px={['default', 'lg']}
      style={{ gap: 12 }}
    >
      <Box display={['block', 'block', 'block', 'block', 'none']}>
        <button
          type="button"
          onClick={toggleSidebar}
          aria-label="Show or hide the menu"
          style={{ display: 'flex', padding: 8, background: 'transparent', border: 0, cursor: 'pointer', color: COLOR.text }}
        >
          <Icon icon="Menu" size={24} />
        </button>
      </Box>
      <Box flex flexGrow={1} justifyContent="center" style={{ minWidth: 0 }}>
        <GlobalSearch />
      </Box>
      {session && session.email ? <LoggedIn session={session} paths={paths} /> : null}
    </Box>
  );
};

export default TopBar;
