import React, { useEffect, useState } from 'react';
import { useCurrentAdmin } from 'adminjs';
import { useLocation, useParams } from 'react-router';
import { useSelector } from 'react-redux';
import { Loader } from '@adminjs/design-system';
import { PAGE_ACCESS, type Predicate, type SessionUser } from '../../auth/access-rules.js';
import { RefusedPage, type RouteVerdict } from './refused-page.js';

interface PanelState {
  resources: Array<{ id: string; resourceActions: Array<{ name: string }> }>;
  paths?: { rootPath?: string };
}

type Props = { OriginalComponent?: React.ComponentType<Record<string, unknown>> } & Record<string, unknown>;

const PAGE_RULES: Record<string, Predicate | undefined> = PAGE_ACCESS;
const part = (value: string | undefined) => encodeURIComponent(value ?? '');

/**
 * The panel's routes for a resource action, a record action, a bulk action and a page
 * (overriding AdminJS's ResourceActionRoute, RecordActionRoute, BulkActionRoute and PageRoute).
 * Before AdminJS renders one, the server is asked whether this person may open it
 * (http/routes/refusal.routes.ts), unless the panel's own state already says yes (a list or a page in
 * their menu); a refusal is shown as "You may not do this" with the reason, not as a 404.
 */
const RefusableRoute: React.FC<Props> = ({ OriginalComponent, ...props }) => {
  const params = useParams<{ resourceId?: string; recordId?: string; actionName?: string; pageName?: string }>();
  const location = useLocation();
  const resources = useSelector((state: PanelState) => state.resources);
  const rootPath = useSelector((state: PanelState) => state.paths?.rootPath) ?? '/admin';
  const [currentAdmin] = useCurrentAdmin();
  const user = currentAdmin as unknown as SessionUser | null;

  let question: string | null = null;
  if (params.pageName) {
    const rule = PAGE_RULES[params.pageName];
    if (rule && !rule(user)) question = `pages/${part(params.pageName)}`;
  } else if (params.recordId) {
    question = `resources/${part(params.resourceId)}/records/${part(params.recordId)}/${part(params.actionName)}`;
  } else if (location.pathname.includes('/bulk/')) {
    const ids = new URLSearchParams(location.search).get('recordIds') ?? '';
    question = `resources/${part(params.resourceId)}/bulk/${part(params.actionName)}?recordIds=${encodeURIComponent(ids)}`;
  } else {
    const resource = resources.find((r) => r.id === params.resourceId);
    if (!resource?.resourceActions.some((a) => a.name === params.actionName))
      question = `resources/${part(params.resourceId)}/actions/${part(params.actionName)}`;
  }

  const [answer, setAnswer] = useState<{ question: string; verdict: RouteVerdict } | null>(null);
  useEffect(() => {
    if (!question) return undefined;
    let current = true;
    void fetch(`${rootPath}/api/refusals/${question}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(async (response) => (response.ok ? ((await response.json()) as RouteVerdict) : ({ state: 'allowed' } as const)))
      // When the question cannot be answered, AdminJS's route goes on: the server still refuses what is not allowed.
      .catch(() => ({ state: 'allowed' }) as const)
      .then((verdict) => {
        if (current) setAnswer({ question, verdict });
      });
    return () => {
      current = false;
    };
  }, [question, rootPath]);

  const original = OriginalComponent ? <OriginalComponent {...props} /> : null;
  if (!question) return original;
  if (answer?.question !== question) return <Loader />;
  if (answer.verdict.state === 'allowed') return original;
  return <RefusedPage verdict={answer.verdict} rootPath={rootPath} />;
};

export default RefusableRoute;
