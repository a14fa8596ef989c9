import React, { useCallback, useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { Icon } from '@adminjs/design-system';
import { choicesOf, MAX_LENGTH, searchStatus, type Choice } from './search-answer.js';
import { SearchResults } from './search-results.js';
import { COLOR } from './top-bar-style.js';
import { VISUALLY_HIDDEN } from '../visually-hidden.js';
import { useNarrowScreen } from './use-narrow-screen.js';
import { useSearchAnswer } from './use-search-answer.js';

/**
 * The top bar's search: travelers, work orders, parts and customers by number or name, in one
 * box. A combobox as WAI-ARIA describes it: the input owns a listbox of results grouped by kind;
 * arrows move through them, Enter opens the chosen one (the first when none is chosen), Escape
 * closes, and "/" anywhere else puts the cursor in the box. Titles are text nodes, never HTML.
 */
export const GlobalSearch: React.FC = () => {
  const navigate = useNavigate();
  const id = useId();
  const inputId = `${id}-input`;
  const listId = `${id}-results`;
  const [text, setText] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);
  const { answer, setAnswer, problem, loading } = useSearchAnswer(text, () => setActive(-1));
  const input = useRef<HTMLInputElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const narrow = useNarrowScreen();

  const choices = choicesOf(answer);
  const query = text.trim();

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
  const status = searchStatus(text, answer, problem, loading);

  return (
    <div
      ref={box}
      data-testid="global-search"
      style={{ position: 'relative', flex: '1 1 auto', minWidth: 0, maxWidth: 560 }}
      onBlur={(event) => {
        if (!box.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <label htmlFor={inputId} style={VISUALLY_HIDDEN}>
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
      <div id={`${id}-status`} role="status" aria-live="polite" style={VISUALLY_HIDDEN} data-testid="global-search-status">
        {status}
      </div>
      <SearchResults
        id={id}
        listId={listId}
        expanded={expanded}
        narrow={narrow}
        answer={answer}
        problem={problem}
        loading={loading}
        choices={choices}
        active={active}
        optionId={optionId}
        onChoose={go}
        onActive={setActive}
      />
    </div>
  );
};
