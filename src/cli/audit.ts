import { auditVerify } from './audit-commands.js';
import { runCli } from './run-cli.js';

runCli(() => auditVerify(process.argv.slice(2)));
