#!/usr/bin/env node
import { AUDIT_VERIFY_USAGE, auditVerify } from './audit-commands.js';
import { dbCommand } from './db-commands.js';
import { runCli } from './run-cli.js';
import { createFirstAdmin } from './user-commands.js';

/**
 * `nexus`: the operator's one command, the same inside the production image (compiled, no dev
 * dependencies: `docker compose exec app nexus audit:verify`) and on a checkout (`npm run ...`).
 */
const USAGE = `Usage: nexus <command> [options]
  db:migrate | db:migrate:undo | db:migrate:status | db:migrate:create NAME | db:migrate:generate NAME | db:seed
  db:maintain [--archive-before=YYYY-MM] [--adopt-default-rows]
  db:backup [--out FILE] | db:restore FILE [--target NAME|URL]
  ${AUDIT_VERIFY_USAGE}
  user:create-admin --username NAME --name "FULL NAME" --email ADDRESS [--password-file FILE]
Each uses DATABASE_OWNER_URL (or DATABASE_URL), otherwise the embedded PostgreSQL of the data folder.`;

const [command = '', ...args] = process.argv.slice(2);

runCli(async () => {
  if (command.startsWith('db:')) return dbCommand([command.slice(3), ...args]);
  if (command === 'audit:verify') return auditVerify(args);
  if (command === 'user:create-admin') return createFirstAdmin(args);
  console.error(USAGE);
  return 2;
});
