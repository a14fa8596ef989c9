import { dbCommand } from './db-commands.js';
import { runCli } from './run-cli.js';

runCli(() => dbCommand(process.argv.slice(2)));
