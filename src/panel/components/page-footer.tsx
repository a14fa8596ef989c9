import React from 'react';
import { useLocation } from 'react-router';
import { useSelector } from 'react-redux';
import { useTranslation } from 'adminjs';
import { FROM_ADDRESS, describePage, usePageTitle } from './page-title.js';

/**
 * AdminJS's Footer (empty, rendered once beside every page) used for the browser tab's title:
 * it knows the address on every page, the dashboard and custom pages included, and names the
 * page from it. Record pages name their record once it is loaded (breadcrumbs.tsx claims a
 * better title then). Draws nothing.
 */
interface PanelState {
  paths?: { rootPath?: string };
  resources: Array<{ id: string; name: string; actions: Array<{ name: string; label: string }> }>;
  pages: Array<{ name: string }>;
}

const PageFooter: React.FC = () => {
  const location = useLocation();
  const rootPath = useSelector((state: PanelState) => state.paths?.rootPath) ?? '/admin';
  const resources = useSelector((state: PanelState) => state.resources);
  const { translateLabel, translateAction } = useTranslation();

  let title: string | null = null;
  const rest = location.pathname.startsWith(rootPath) ? location.pathname.slice(rootPath.length).replace(/\/+$/, '') : null;
  if (rest !== null) {
    const parts = rest
      .split('/')
      .filter(Boolean)
      .map((p) => decodeURIComponent(p));
    if (parts.length === 0) {
      title = translateLabel('dashboard');
    } else if (parts[0] === 'pages' && parts[1]) {
      title = translateLabel(parts[1]);
    } else if (parts[0] === 'resources' && parts[1]) {
      const resource = resources.find((r) => r.id === parts[1]);
      if (resource) {
        const resourceName = translateLabel(resource.name, resource.id);
        const actionLabel = (name: string | undefined) => {
          const action = name ? resource.actions.find((a) => a.name === name) : undefined;
          return action ? translateAction(action.label, resource.id) : name;
        };
        if (parts[2] === 'records' && parts[3]) {
          title = describePage({ resourceName, recordId: parts[3], actionName: parts[4], actionLabel: actionLabel(parts[4]) });
        } else if (parts[2] === 'actions' && parts[3]) {
          title = describePage({ resourceName, actionName: parts[3], actionLabel: actionLabel(parts[3]) });
        } else if (parts[2] === 'bulk' && parts[3]) {
          title = describePage({ resourceName, actionName: parts[3], actionLabel: actionLabel(parts[3]), bulk: true });
        } else {
          title = describePage({ resourceName });
        }
      }
    }
  }
  usePageTitle(title, FROM_ADDRESS, location.pathname);
  return null;
};

export default PageFooter;
