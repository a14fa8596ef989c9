import { ConfigError } from '../config/config.js';
import { BackupError } from '../db/backup/backup-error.js';

/** Runs a command to its exit code; a refusal an operator can act on is its message, not a stack trace. */
export function runCli(command: () => Promise<number>): void {
  command().then(
    (code) => process.exit(code),
    (error) => {
      const refusal =
        error instanceof ConfigError ||
        error instanceof BackupError ||
        (error instanceof Error && ['CliRefusal', 'RecordValidationError'].includes(error.name));
      console.error(refusal ? (error as Error).message : error);
      process.exit(1);
    },
  );
}
