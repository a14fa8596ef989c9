import fs from 'node:fs';
import path from 'node:path';
import AdminJS, { type AdminJSOptions } from 'adminjs';
import { Database } from '@adminjs/sequelize';
import { RESOURCES } from '../resources/index.js';
import { dashboardSummary } from '../dashboard/dashboard.service.js';
import { approvalInbox } from '../approvals/approval-inbox.service.js';
import { PAGE_ACCESS, canReadApprovals } from '../auth/access-rules.js';
import { emptyMyWork, myWork } from '../travelers/shop-floor.service.js';
import { dispositionQueuePage } from './disposition-queue.page.js';
import { sessionUser } from '../resources/resource-helpers.js';
import { User } from '../models/index.js';
import { Components, componentLoader } from '../panel/component-loader.js';
import { FAVICON_PATH } from '../panel/favicon.js';
import { NexusResource } from '../panel/nexus-resource.adapter.js';
import { TITLE_PROPERTY } from '../records/record-title-sql.js';
import { PANEL_STYLES_PATH, PANEL_THEME } from './panel-styles.js';
import { withTitlesAndPickers } from '../panel/reference-options.js';
import { DEFAULT_FORM_SETTINGS, withFormDefaults, type FormDefaultSettings } from '../panel/form-defaults.js';

AdminJS.registerAdapter({ Database, Resource: NexusResource });

export const ADMIN_ROOT = '/admin';

function translations() {
  const resources: Record<string, { properties: Record<string, string> }> = {};
  const labels: Record<string, string> = {};
  for (const { options, labels: l } of RESOURCES) {
    const id = options.id as string;
    resources[id] = { properties: { [TITLE_PROPERTY]: 'Search', ...l.properties } };
    labels[id] = l.name;
  }
  return {
    labels: {
      ...labels,
      navigation: 'NEXUS',
      loginWelcome: 'NEXUS',
      pages: 'Pages',
      myApprovals: 'My approvals',
      myWork: 'My work',
      dispositionQueue: 'Disposition queue',
    },
    actions: { history: 'History', exportCsv: 'Export CSV', deactivate: 'Deactivate', reactivate: 'Reactivate' },
    resources,
    messages: {
      invalidCredentials: 'Wrong user name or password, or the account is deactivated',
      forbiddenError: 'Your role does not allow this action',
    },
    components: {
      Login: {
        welcomeHeader: 'NEXUS',
        welcomeMessage: 'Traveler management for the shop floor. Sign in with your user name or email.',
        properties: { email: 'User name or email', password: 'Password' },
        loginButton: 'Sign in',
      },
    },
  };
}

/**
 * In development AdminJS bundles our components on the first request, but serves any bundle
 * already on disk, however old; start every process from the components as they are now.
 */
function dropStaleComponentBundle(): void {
  if (process.env.NODE_ENV === 'production') return;
  const dir = process.env.ADMIN_JS_TMP_DIR ?? path.resolve('.adminjs');
  fs.rmSync(path.join(dir, 'bundle.js'), { force: true });
}

export function createAdmin(formSettings: FormDefaultSettings = DEFAULT_FORM_SETTINGS): AdminJS {
  dropStaleComponentBundle();
  const options: AdminJSOptions = {
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    resources: RESOURCES.map(({ resource, adapter, options: resourceOptions, labels }) => ({
      resource: adapter ? new adapter(resource) : resource,
      options: withFormDefaults(withTitlesAndPickers(resource, resourceOptions, labels.properties), formSettings),
    })),
    branding: {
      companyName: 'NEXUS',
      logo: false,
      // Served by our own server (favicon.ts), never fetched from another host.
      favicon: `${ADMIN_ROOT}${FAVICON_PATH}`,
      withMadeWithLove: false,
      theme: PANEL_THEME,
    },
    locale: { language: 'en', availableLanguages: ['en'], translations: { en: translations() } },
    componentLoader,
    assets: { styles: [PANEL_STYLES_PATH] },
    dashboard: {
      component: Components.Dashboard,
      handler: async (_request, _response, context) => {
        const user = sessionUser(context?.currentAdmin);
        return dashboardSummary(User.sequelize!, user && canReadApprovals(user) ? user : undefined);
      },
    },
    pages: {
      myApprovals: {
        component: Components.MyApprovals,
        icon: 'CheckSquare',
        handler: async (_request, _response, context) => {
          const user = sessionUser(context?.currentAdmin);
          if (!user || !PAGE_ACCESS.myApprovals(user)) return { toDecide: [], mine: [] };
          return approvalInbox(User.sequelize!, user);
        },
      },
      myWork: {
        component: Components.MyWork,
        icon: 'Tool',
        handler: async (request, _response, context) => {
          const user = sessionUser(context?.currentAdmin);
          if (!user || !PAGE_ACCESS.myWork(user)) {
            return emptyMyWork(`Your role (${user?.role ?? 'none'}) does not work steps: My work lists steps for operators, quality and administrators.`);
          }
          const workCenterId = Number((request.query as Record<string, unknown> | undefined)?.workCenterId);
          return myWork(User.sequelize!, user, { workCenterId: Number.isFinite(workCenterId) ? workCenterId : null });
        },
      },
      // Quality's checks awaiting a disposition; other roles are refused (403) with the reason.
      dispositionQueue: {
        component: Components.DispositionQueue,
        icon: 'AlertTriangle',
        handler: async (request, _response, context) => dispositionQueuePage(request.query as Record<string, unknown> | undefined, context?.currentAdmin),
      },
    },
  };
  return new AdminJS(options);
}
