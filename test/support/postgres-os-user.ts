import { execFileSync } from 'node:child_process';

/**
 * Who a server process the tests start runs as: PostgreSQL and PgBouncer refuse root, so as root
 * they run as the `postgres` OS user (as the embedded PostgreSQL does); otherwise as ourselves.
 */
export function postgresOsUser(): { uid?: number; gid?: number } {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {};
  return {
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  };
}
