import fs from 'node:fs';
import path from 'node:path';
import AdminJS, { type AdminJSOptions } from 'adminjs';
import { resourcesFor } from '../resources/index.js';
import { dashboardSummary } from '../dashboard/dashboard.service.js';
import { reportPlaceOf } from '../panel/panel-request-state.js';
import { approvalInbox } from '../approvals/approval-inbox.service.js';
import { PAGE_ACCESS, canReadApprovals } from '../auth/access-rules.js';
import { emptyMyWork, myWork } from '../travelers/shop-floor.service.js';
import { dispositionQueuePage } from './disposition-queue.page.js';
import { sessionUser, type ResourceDefinition } from '../resources/resource-helpers.js';
import { Components, componentLoader } from '../panel/component-loader.js';
import { FAVICON_PATH } from '../panel/favicon.js';
import { NexusResource } from '../panel/nexus-resource.adapter.js';
import { TITLE_PROPERTY } from '../records/record-title-sql.js';
import { PANEL_STYLES_PATH, PANEL_THEME } from './panel-styles.js';
import { withTitlesAndPickers } from '../panel/reference-options.js';
import { withFormDefaults } from '../panel/form-defaults.js';
import type { AppContext } from '../app-context.js';

function translations(resourceDefinitions: ResourceDefinition[]) {
  const resources: Record<string, { properties: Record<string, string> }> = {};
  const labels: Record<string, string> = {};
  for (const { options, labels: l } of resourceDefinitions) {
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

/** The panel of one app: its resources, pages and adapters all work through the app's context. */
export function createAdmin(ctx: AppContext): AdminJS {
  dropStaleComponentBundle();
  const root = ctx.links.panelRoot;
  const resources = resourcesFor(ctx);
  const options: AdminJSOptions = {
    rootPath: root,
    loginPath: `${root}/login`,
    logoutPath: `${root}/logout`,
    // Adapters made here, with the context: AdminJS would make the registered one of a bare model without it.
    resources: resources.map(({ resource, adapter: Adapter = NexusResource, options: resourceOptions, labels }) => ({
      resource: new Adapter(resource, ctx),
      options: withFormDefaults(withTitlesAndPickers(resource, resourceOptions, labels.properties), ctx.forms),
    })),
    branding: {
      companyName: 'NEXUS',
      logo: false,
      // Served by our own server (favicon.ts), never fetched from another host.
      favicon: `${root}${FAVICON_PATH}`,
      withMadeWithLove: false,
      theme: PANEL_THEME,
    },
    locale: { language: 'en', availableLanguages: ['en'], translations: { en: translations(resources) } },
    componentLoader,
    assets: { styles: [PANEL_STYLES_PATH] },
    dashboard: {
      component: Components.Dashboard,
      handler: async (_request, _response, context) => {
        const user = sessionUser(context?.currentAdmin);
        return dashboardSummary(ctx.db, user && canReadApprovals(user) ? user : undefined, await reportPlaceOf(ctx.reports, context));
      },
    },
    pages: {
      myApprovals: {
        component: Components.MyApprovals,
        icon: 'CheckSquare',
        handler: async (_request, _response, context) => {
          const user = sessionUser(context?.currentAdmin);
          if (!user || !PAGE_ACCESS.myApprovals(user)) return { toDecide: [], mine: [] };
          return approvalInbox(ctx.db, user);
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
          return myWork(ctx.db, user, { workCenterId: Number.isFinite(workCenterId) ? workCenterId : null });
        },
      },
      // Quality's checks awaiting a disposition; other roles are refused (403) with the reason.
      dispositionQueue: {
        component: Components.DispositionQueue,
        icon: 'AlertTriangle',
        handler: async (request, _response, context) =>
          dispositionQueuePage(ctx.db, request.query as Record<string, unknown> | undefined, context?.currentAdmin),
      },
    },
  };
  return new AdminJS(options);
}
