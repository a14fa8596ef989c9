import { useEffect, useRef, useState } from 'react';
import { panelUrl } from '../panel-urls.js';
import { MAX_LENGTH, type SearchAnswer } from './search-answer.js';

const DELAY_MS = 180;

/**
 * The server's answer to the text typed, asked for once typing pauses; an answer to an older
 * text is dropped. `onAnswered` runs with each answer the box shows.
 */
export function useSearchAnswer(text: string, onAnswered: () => void) {
  const [answer, setAnswer] = useState<SearchAnswer | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const latest = useRef(0);
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
          onAnswered();
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

  return { answer, setAnswer, problem, loading };
}
