import React from 'react';
import type { Choice, SearchAnswer } from './search-answer.js';
import { COLOR } from './top-bar-style.js';

interface SearchResultsProps {
  /** The search box's id, which the listbox's own ids start with. */
  id: string;
  listId: string;
  expanded: boolean;
  narrow: boolean;
  answer: SearchAnswer | null;
  problem: string | null;
  loading: boolean;
  choices: Choice[];
  /** The choice the arrows are on, or -1. */
  active: number;
  optionId: (index: number) => string;
  onChoose: (choice: Choice) => void;
  onActive: (index: number) => void;
}

/** The search's listbox: a line on what is going on, then the choices grouped by kind. */
export const SearchResults: React.FC<SearchResultsProps> = ({
  id,
  listId,
  expanded,
  narrow,
  answer,
  problem,
  loading,
  choices,
  active,
  optionId,
  onChoose,
  onActive,
}) => (
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
              onClick={() => onChoose(choice)}
              onMouseEnter={() => onActive(i)}
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
);
