// Jest loads global setup outside its module system (no TypeScript transform, no path mapping);
// tsx loads the TypeScript setup the same way the app's scripts run.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: setup } = await tsImport('./global-setup-impl.ts', import.meta.url);
  await setup();
}
