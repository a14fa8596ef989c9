import { auditVerify } from './audit-commands.js';
import { runCli } from './run-cli.js';

runCli(() => auditVerify());
