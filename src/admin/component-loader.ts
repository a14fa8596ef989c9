import path from 'node:path';
import { ComponentLoader } from 'adminjs';
import { componentsDir } from '../paths.js';

/** Every custom panel component, registered once under a name resources and pages refer to. */
export const componentLoader = new ComponentLoader();

export const Components = {
  Dashboard: componentLoader.add('Dashboard', path.join(componentsDir, 'dashboard.tsx')),
};
