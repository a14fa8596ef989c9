/** A backup or restore refused or failed for a reason an operator can act on; its message says which. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}
