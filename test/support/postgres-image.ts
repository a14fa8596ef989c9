import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * What the postgres image does with docker/initdb on a new volume, and what its healthcheck asks,
 * run against a test database: no Docker engine is needed to prove either.
 */

export const hasPsql = (): boolean =>
  spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0 && spawnSync('pg_isready', ['--version'], { stdio: 'ignore' }).status === 0;

export interface InitRun {
  /** The scripts that ran to the end, in order. */
  completed: string[];
  failed?: { file: string; error: string };
}

export interface InitOptions {
  /** NEXUS_OWNER for 00-owner.sh: a role name of the test's own (roles are per server). */
  owner: string;
  /** A file holding the owner's password (NEXUS_OWNER_PASSWORD_FILE). */
  ownerPasswordFile: string;
}

/** The environment the image gives its init scripts, aimed at the test server's database. */
function imageEnvironment(databaseUrl: string, options: InitOptions): NodeJS.ProcessEnv {
  const url = new URL(databaseUrl);
  return {
    ...process.env,
    POSTGRES_USER: decodeURIComponent(url.username),
    POSTGRES_DB: decodeURIComponent(url.pathname.slice(1)),
    PGHOST: url.hostname,
    PGPORT: url.port || '5432',
    PGPASSWORD: decodeURIComponent(url.password),
    NEXUS_OWNER: options.owner,
    NEXUS_OWNER_PASSWORD_FILE: options.ownerPasswordFile,
  };
}

/**
 * The image's docker_process_init_files: every *.sh and *.sql of the folder in name order, the
 * SQL through `psql -v ON_ERROR_STOP=1 --no-psqlrc` as the image's superuser, stopping at the
 * first failure (its entrypoint runs with `set -e`). Without psql on the machine each SQL file goes
 * through node-postgres in one simple query, which stops at the first error the same way (the
 * files hold no psql meta-commands); the shell scripts need psql.
 */
export async function runInitScripts(folder: string, databaseUrl: string, options: InitOptions): Promise<InitRun> {
  const completed: string[] = [];
  const env = imageEnvironment(databaseUrl, options);
  const files = fs
    .readdirSync(folder)
    .filter((f) => f.endsWith('.sql') || f.endsWith('.sh'))
    .sort();
  for (const file of files) {
    const full = path.join(folder, file);
    if (file.endsWith('.sh') && hasPsql()) {
      const run = spawnSync('/bin/sh', [full], { encoding: 'utf8', env });
      if (run.status !== 0) return { completed, failed: { file, error: run.stderr.trim() } };
    } else if (file === '00-owner.sh') {
      // No psql to run the script with: what it does, through node-postgres.
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        const password = fs.readFileSync(options.ownerPasswordFile, 'utf8').split('\n')[0]!;
        await client.query(
          `CREATE ROLE ${client.escapeIdentifier(options.owner)} LOGIN NOSUPERUSER CREATEROLE NOCREATEDB NOREPLICATION NOBYPASSRLS PASSWORD ${client.escapeLiteral(password)}`,
        );
        await client.query(`ALTER DATABASE ${client.escapeIdentifier(env.POSTGRES_DB!)} OWNER TO ${client.escapeIdentifier(options.owner)}`);
      } catch (error) {
        return { completed, failed: { file, error: String(error) } };
      } finally {
        await client.end();
      }
    } else if (file.endsWith('.sh')) {
      throw new Error(`${file}: running the image's shell scripts needs psql`);
    } else if (hasPsql()) {
      const run = spawnSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-d', databaseUrl, '-f', full], { encoding: 'utf8' });
      if (run.status !== 0) return { completed, failed: { file, error: run.stderr.trim() } };
    } else {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await client.query(fs.readFileSync(full, 'utf8'));
      } catch (error) {
        return { completed, failed: { file, error: String(error) } };
      } finally {
        await client.end();
      }
    }
    completed.push(file);
  }
  return { completed };
}

/**
 * Runs a compose CMD-SHELL healthcheck of the postgres service as the container would, for the
 * database of `databaseUrl`: POSTGRES_USER and POSTGRES_DB name its login and database, libpq's
 * variables carry the test server's port and password. Without psql, only its SQL is asked.
 */
export async function runHealthcheck(command: string, databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  // Compose turns $$ into $ before the container's shell sees the command.
  const shell = command.replace(/\$\$/g, '$');
  if (hasPsql()) {
    const env = {
      ...process.env,
      POSTGRES_USER: decodeURIComponent(url.username),
      POSTGRES_DB: decodeURIComponent(url.pathname.slice(1)),
      PGPORT: url.port || '5432',
      PGPASSWORD: decodeURIComponent(url.password),
      PGCONNECT_TIMEOUT: '5',
    };
    return spawnSync('/bin/sh', ['-c', shell], { env, stdio: 'ignore' }).status === 0;
  }
  const sql = /-c \\?"(SELECT [^"\\]+)\\?"/.exec(shell)?.[1];
  if (!sql) throw new Error(`no SQL found in the healthcheck ${command}`);
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<Record<string, unknown>>(sql);
    return Object.values(rows[0] ?? {})[0] === true;
  } finally {
    await client.end();
  }
}
