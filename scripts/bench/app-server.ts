import { spawn, type ChildProcess } from 'node:child_process';
import { PRODUCTION_NODE_OPTIONS } from '../../src/config/node-options.js';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { freeLocalPort } from '../../src/db/embedded-postgres.js';
import { projectRoot } from '../../src/paths.js';
import { msSince } from './stats.js';

/**
 * The real app, as production runs it (NODE_ENV=production, a runtime login, the owner only for
 * start-up), in a child process of its own so that its memory is its own: the compiled
 * `node dist/src/main.js` as in the Dockerfile (BENCH_APP=dist, the default), or `node --import tsx
 * src/main.ts` as npm start runs it (BENCH_APP=tsx).
 * Signed-in sessions come from POST /admin/login like any client's.
 */

/** Inherited variables that would point the app somewhere else or change how it runs. */
const APP_VARIABLES =
  /^(DATABASE_|DB_|SESSION_|LOGIN_|SMTP_URL$|MAIL_FROM$|APP_URL$|TRUST_PROXY$|DATA_DIR$|EMBEDDED_PG_PORT$|PG_BIN_DIR$|SEED_DEMO_DATA$|AUDIT_SEAL_SECONDS$|PORT$|HOST$|NODE_ENV$|LOG_LEVEL$|ADMIN_JS_)/;

export interface AppServer {
  base: string;
  /** How it was started, e.g. `node --import tsx src/main.ts`. */
  command: string;
  /** Where the panel's component bundle came from. */
  components: string;
  pid: number;
  poolMax: number;
  startMs: number;
  /** VmHWM (peak resident set) and VmRSS of the server process, in MiB. */
  memory(): { peakMiB: number; rssMiB: number };
  output(): string;
  stop(): Promise<void>;
}

/** The command line that starts the app, in the project folder. */
export function appCommand(mode: 'tsx' | 'dist'): string[] {
  if (mode === 'tsx') return ['--import', 'tsx', 'src/main.ts'];
  if (!fs.existsSync(path.join(projectRoot, 'dist', 'src', 'main.js')))
    throw new Error('BENCH_APP=dist needs the compiled app: run npm run build:production first (npm run bench does)');
  return ['dist/src/main.js'];
}

export async function startAppServer(runtimeUrl: string, ownerUrl: string, mode: 'tsx' | 'dist', log: (line: string) => void): Promise<AppServer> {
  const args = appCommand(mode);
  const port = await freeLocalPort();
  // With the components bundled at build time (npm run build:production), src/main.ts serves that
  // bundle, as in production; without, AdminJS bundles them at start, here into a temp folder
  // rather than the project's .data/.
  const prebuilt = fs.existsSync(path.join(projectRoot, 'dist', 'adminjs', 'bundle.js'));
  const bundleDir = prebuilt ? null : fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-bench-app-'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !APP_VARIABLES.test(k)));
  Object.assign(env, {
    NODE_ENV: 'production',
    DATABASE_URL: runtimeUrl,
    DATABASE_OWNER_URL: ownerUrl,
    SESSION_SECRET: crypto.randomBytes(48).toString('base64url'),
    SEED_DEMO_DATA: 'false',
    LOG_LEVEL: 'warn',
    HOST: '127.0.0.1',
    PORT: String(port),
    ...(bundleDir && { ADMIN_JS_TMP_DIR: bundleDir }),
    // The built app runs with the Dockerfile's heap limits, as in production.
    ...(mode === 'dist' && { NODE_OPTIONS: PRODUCTION_NODE_OPTIONS }),
  });
  const started = process.hrtime.bigint();
  const child: ChildProcess = spawn(process.execPath, args, { cwd: projectRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) => child.once('exit', (code) => ((exited = code), resolve())));

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (exited === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    }
    if (bundleDir) fs.rmSync(bundleDir, { recursive: true, force: true });
  };

  const base = `http://127.0.0.1:${port}`;
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (exited !== undefined) throw new Error(`the app exited (code ${exited}) before it served:\n${lines.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`the app did not answer within 3 minutes:\n${lines.slice(-30).join('\n')}`);
      const status = await request(base, 'GET', '/admin/login').then(
        (r) => r.status,
        () => 0,
      );
      if (status === 200) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  const startMs = msSince(started);
  log(`  app serving at ${base} (pid ${child.pid}) after ${(startMs / 1000).toFixed(1)} s`);
  const status = () => fs.readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kib = (text: string, field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return {
    base,
    command: `node ${args.join(' ')}`,
    components: prebuilt ? 'the bundle built by npm run build:production (dist/adminjs)' : 'bundled by AdminJS at start (no dist/adminjs/bundle.js)',
    pid: child.pid!,
    poolMax: 10,
    startMs,
    memory() {
      const text = status();
      return { peakMiB: kib(text, 'VmHWM') / 1024, rssMiB: kib(text, 'VmRSS') / 1024 };
    },
    output: () => lines.join('\n'),
    stop,
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  ms: number;
}

/** One HTTP exchange over a kept-alive socket; the time is from sending to the last byte of the body. */
export function request(
  base: string,
  method: 'GET' | 'POST',
  pathAndQuery: string,
  options: { cookie?: string; form?: Record<string, string> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
    const headers: http.OutgoingHttpHeaders = { accept: 'application/json' };
    if (options.cookie) headers.cookie = options.cookie;
    if (body !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = Buffer.byteLength(body);
    }
    const start = process.hrtime.bigint();
    const req = http.request(new URL(pathAndQuery, base), { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: msSince(start) }));
      res.on('error', reject);
    });
    req.setTimeout(60_000, () => req.destroy(new Error(`${method} ${pathAndQuery} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Signs in through the panel's login form (no Origin header: not a browser) and returns the session cookie. */
export async function signIn(base: string, username: string, password: string): Promise<string> {
  const reply = await request(base, 'POST', '/admin/login', { form: { email: username, password } });
  const cookie = (reply.headers['set-cookie'] ?? []).map((c) => c.split(';')[0]!).find((c) => c.startsWith('nexus.sid='));
  if (reply.status !== 302 || !cookie) throw new Error(`signing in as ${username} failed: HTTP ${reply.status} ${reply.body.slice(0, 200)}`);
  return cookie;
}
