import fs from 'node:fs';
import path from 'node:path';
import { projectRoot } from './paths.js';

// AdminJS reads these when it is first imported. In production, the components bundled at build
// time (npm run build:production) are served as they are: no rollup inside the server.
const prebuilt = path.join(projectRoot, 'dist', 'adminjs');
if (process.env.NODE_ENV === 'production' && !process.env.ADMIN_JS_TMP_DIR && fs.existsSync(path.join(prebuilt, 'bundle.js'))) {
  process.env.ADMIN_JS_TMP_DIR = prebuilt;
  process.env.ADMIN_JS_SKIP_BUNDLE ??= 'true';
}
// Otherwise keep the bundle beside the project, whatever folder `npm start` was run from, and
// out of a dot-folder that Express 5 would not serve.
process.env.ADMIN_JS_TMP_DIR ??= path.join(projectRoot, '.data', 'adminjs');

const { ConfigError, loadConfig } = await import('./config/config.js');
const { startServer } = await import('./server.js');
const { default: pino } = await import('pino');
const { DEMO_PASSWORD, DEMO_USERS } = await import('../seeders/demo-users.js');

let config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`NEXUS cannot start. ${error.message}`);
    process.exit(1);
  }
  throw error;
}

const logger = pino({ level: config.LOG_LEVEL });
// No request may end the process. The request gate and the one error path of each request keep
// errors inside requests; an error thrown outside any (a library's event handler, a promise no one
// awaited) is logged at fatal level and the server goes on serving the others. Compose restarts
// the app should it die anyway.
process.on('uncaughtException', (error) => logger.fatal({ err: error }, 'uncaught error outside any request: logged, the server goes on'));
process.on('unhandledRejection', (reason) => logger.fatal({ err: reason }, 'unhandled rejection: logged, the server goes on'));

// A start that failed ends the process (exit 1) with the reason, for a supervisor to see and retry.
const running = await startServer(config, logger).catch((error: unknown) => {
  logger.fatal({ err: error }, 'NEXUS cannot start');
  console.error(`NEXUS cannot start. ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal} received: stopping NEXUS${running.embedded ? ' and its embedded PostgreSQL' : ''}...`);
  try {
    await running.close();
    process.exit(0);
  } catch (error) {
    console.error('Shutdown failed:', error);
    process.exit(1);
  }
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));

const lines = [
  '',
  `NEXUS is running: ${running.url}`,
  running.embedded ? `Database: embedded PostgreSQL in ${path.dirname(running.embedded.dataDir)} (port ${running.embedded.port})` : 'Database: DATABASE_URL',
];
if (config.SEED_DEMO_DATA) {
  lines.push('', `Demo logins (password for all: ${DEMO_PASSWORD}):`);
  for (const user of DEMO_USERS) lines.push(`  ${user.role.padEnd(9)} ${user.username}`);
}
lines.push('', 'Press Ctrl-C to stop.', '');
console.log(lines.join('\n'));
