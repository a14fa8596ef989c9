import { useEffect, useState } from 'react';

/** A phone-sized screen, as the design system's first breakpoint has it. */
export function useNarrowScreen(): boolean {
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
