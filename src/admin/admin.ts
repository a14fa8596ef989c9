import AdminJS, { type AdminJSOptions } from 'adminjs';
import { Database } from '@adminjs/sequelize';
import { RESOURCES } from '../resources/index.js';
import { NexusResource } from './nexus-resource.adapter.js';

AdminJS.registerAdapter({ Database, Resource: NexusResource });

export const ADMIN_ROOT = '/admin';

function translations() {
  const resources: Record<string, { properties: Record<string, string> }> = {};
  const labels: Record<string, string> = {};
  for (const { options, labels: l } of RESOURCES) {
    const id = options.id as string;
    resources[id] = { properties: l.properties };
    labels[id] = l.name;
  }
  return {
    labels: { ...labels, navigation: 'NEXUS', loginWelcome: 'NEXUS' },
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

export function createAdmin(): AdminJS {
  const options: AdminJSOptions = {
    rootPath: ADMIN_ROOT,
    loginPath: `${ADMIN_ROOT}/login`,
    logoutPath: `${ADMIN_ROOT}/logout`,
    resources: RESOURCES.map(({ resource, options: resourceOptions }) => ({ resource, options: resourceOptions })),
    branding: {
      companyName: 'NEXUS',
      logo: false,
      withMadeWithLove: false,
    },
    locale: { language: 'en', availableLanguages: ['en'], translations: { en: translations() } },
  };
  return new AdminJS(options);
}
