import { panelUrl } from '../panel-urls.js';

/** The children API (http/routes/routing.routes.ts). */
export const API = panelUrl('/api/children');

export async function getJson<T>(path: string): Promise<{ ok: boolean; body: T & { error?: string } }> {
  const response = await fetch(`${API}/${path}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  return { ok: response.ok, body: (await response.json().catch(() => ({}))) as T & { error?: string } };
}
