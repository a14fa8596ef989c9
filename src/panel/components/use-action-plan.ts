import { useEffect, useState } from 'react';
import { ApiClient } from 'adminjs';

const api = new ApiClient();

/**
 * What an action will do, read from its GET before the person confirms (a traveler's plan, a
 * revision's release). A plan that cannot be read is said so (`loadError`), never left spinning;
 * `onLoaded` sets the form's starting values from it.
 */
export function useActionPlan<P>(
  target: { resourceId: string; recordId: string; actionName: string },
  onLoaded: (plan: P) => void,
): { plan: P | null; loadError: string | null } {
  const [plan, setPlan] = useState<P | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  useEffect(() => {
    setLoadError(null);
    api
      .recordAction(target)
      .then((response) => {
        const loaded = (response.data as unknown as { plan: P }).plan;
        setPlan(loaded);
        onLoaded(loaded);
      })
      .catch((error: unknown) => setLoadError(error instanceof Error ? error.message : String(error)));
    // Loaded once per record and action; onLoaded only seeds the form.
  }, [target.resourceId, target.recordId, target.actionName]);
  return { plan, loadError };
}
