import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { freeLocalPort } from '../../src/db/embedded-postgres.js';
import { waitFor } from './app-process.js';
import { realClockEnv } from './moved-clock.js';
import { postgresOsUser } from './postgres-os-user.js';

/**
 * A real PgBouncer (Debian's package; 1.18 in bookworm) in transaction mode in front of one
 * database of the test server, on a free port, with its ini and userlist in a folder of its own.
 */

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer', '/usr/local/sbin/pgbouncer'];

/** Where the pgbouncer binary is; a suite that needs it fails with this one line when it is missing. */
export function pgbouncerBinary(): string {
  const onPath = (process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'pgbouncer'));
  const found = [...onPath, ...CANDIDATES].find((file) => fs.existsSync(file));
  if (!found)
    throw new Error('PgBouncer is not installed (no pgbouncer on PATH or in /usr/sbin): install it (Debian: apt-get install pgbouncer) to run this suite.');
  return found;
}

export interface PgBouncerLogin {
  user: string;
  password: string;
}

export interface PgBouncer {
  port: number;
  /** A URL to `database` through PgBouncer as `login`. */
  url(login: PgBouncerLogin): string;
  /** A statement on PgBouncer's admin console (SHOW ..., RECONNECT), as its admin user. */
  console<R extends pg.QueryResultRow>(sql: string): Promise<R[]>;
  stop(): Promise<void>;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => socket.end(() => resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts PgBouncer for the database of `serverUrl` (the test server's, a superuser URL), which
 * the given logins may reach through it; the first of them may also use its admin console. Client
 * and server authentication are SCRAM, from the passwords in its userlist.
 */
export async function startPgBouncer(serverUrl: string, logins: PgBouncerLogin[]): Promise<PgBouncer> {
  const binary = pgbouncerBinary();
  const server = new URL(serverUrl);
  const database = decodeURIComponent(server.pathname.slice(1));
  const port = await freeLocalPort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-pgbouncer-'));
  const userlist = path.join(dir, 'userlist.txt');
  const ini = path.join(dir, 'pgbouncer.ini');
  fs.writeFileSync(userlist, logins.map((l) => `${quote(l.user)} ${quote(l.password)}\n`).join(''), { mode: 0o600 });
  fs.writeFileSync(
    ini,
    [
      '[databases]',
      `${database} = host=${server.hostname} port=${server.port || '5432'} dbname=${database}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = scram-sha-256',
      `auth_file = ${userlist}`,
      'pool_mode = transaction',
      'max_client_conn = 200',
      'default_pool_size = 20',
      `admin_users = ${logins[0]!.user}`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const runAs = postgresOsUser();
  if (runAs.uid !== undefined) for (const file of [dir, userlist, ini]) fs.chownSync(file, runAs.uid, runAs.gid!);
  const child: ChildProcess = spawn(binary, [ini], { ...runAs, env: realClockEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor('PgBouncer to listen', async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`PgBouncer exited during start:\n${output.join('')}`);
      return (await listening(port)) ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (login: PgBouncerLogin) => `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    url,
    async console<R extends pg.QueryResultRow>(sql: string) {
      const client = new pg.Client({ connectionString: url(logins[0]!).replace(/\/[^/]*$/, '/pgbouncer') });
      await client.connect();
      try {
        return (await client.query<R>(sql)).rows;
      } finally {
        await client.end();
      }
    },
    stop,
  };
}
