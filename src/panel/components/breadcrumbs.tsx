import React from 'react';
import { Link } from 'react-router-dom';
import { useLocation } from 'react-router';
import { ViewHelpers, useTranslation, type BreadcrumbProps } from 'adminjs';
import { Box } from '@adminjs/design-system';
import { FROM_RECORD, describePage, usePageTitle } from './page-title.js';

/**
 * AdminJS's breadcrumbs (above every action's heading), which said "Dashboard / Travelers /
 * Show" and linked the last crumb to "#": here they name the record ("Dashboard / Travelers /
 * T-26007 / Edit"), link each step to its page, mark the current one for a screen reader
 * (aria-current), sit in a <nav> list, and never break an identifier. Knowing the record, they
 * also name the browser tab after it (page-title.ts).
 */
const h = new ViewHelpers();

const crumb: React.CSSProperties = { whiteSpace: 'nowrap', color: '#4b5563', textDecoration: 'none' };
const current: React.CSSProperties = { whiteSpace: 'nowrap', color: '#1f2937' };
const separator = (
  <span aria-hidden="true" style={{ padding: '0 8px', color: '#6b7280' }}>
    /
  </span>
);

const Breadcrumbs: React.FC<BreadcrumbProps> = ({ resource, record, actionName }) => {
  const { translateLabel, translateAction } = useTranslation();
  const location = useLocation();
  const action = resource.actions.find((a) => a.name === actionName);
  const resourceName = translateLabel(resource.name, resource.id);
  const actionLabel = action ? translateAction(action.label, resource.id) : actionName;
  const hasList = resource.resourceActions.some((a) => a.name === 'list');
  const recordTitle = record ? record.title || `#${record.id}` : null;

  usePageTitle(
    describePage({ resourceName, actionName, actionLabel, ...(record && { recordId: String(record.id), recordTitle: record.title }) }),
    FROM_RECORD,
    location.pathname,
  );

  const steps: Array<{ label: string; to?: string }> = [{ label: translateLabel('dashboard'), to: h.dashboardUrl() }];
  steps.push({ label: resourceName, ...(hasList && { to: resource.href ?? h.resourceUrl({ resourceId: resource.id }) }) });
  if (record && recordTitle) steps.push({ label: recordTitle, to: h.showUrl(resource.id, String(record.id)) });
  if (action && actionName !== 'list' && !(record && actionName === 'show')) steps.push({ label: actionLabel });
  const last = steps.length - 1;

  return (
    <Box as="nav" aria-label="Breadcrumb" flexGrow={1} className="adminjs_Breadcrumbs" data-css={`${resource.id}-${actionName}-breadcrumbs`}>
      <ol style={{ listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexWrap: 'wrap', alignItems: 'baseline' }}>
        {steps.map((step, i) => (
          <li key={`${i}-${step.label}`} style={{ display: 'inline-flex', alignItems: 'baseline' }}>
            {i === last ? (
              <span aria-current="page" style={current}>
                {step.label}
              </span>
            ) : step.to ? (
              <Link to={step.to} style={crumb}>
                {step.label}
              </Link>
            ) : (
              <span style={crumb}>{step.label}</span>
            )}
            {i < last && separator}
          </li>
        ))}
      </ol>
    </Box>
  );
};

export default Breadcrumbs;
