import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freeLocalPort } from '../../src/db/embedded-postgres.js';
import { projectRoot } from '../../src/paths.js';
import { movedClockEnv } from './moved-clock.js';
import type { TestDatabase } from './test-database.js';

/** Polls `check` until it returns a value (not undefined), or fails naming what it waited for. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface AppProcess {
  child: ChildProcess;
  base: string;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The environment of the app as a shop runs it against a test database: migrated and seeded as
 * the owner (the test server's superuser), serving as a fresh runtime login with the demo shop,
 * its AdminJS bundle and temp files in folders of its own (removed by `cleanup`).
 */
export function appEnvironment(
  db: TestDatabase,
  extra: Record<string, string> = {},
): { env: Record<string, string>; runtimeRole: string; tmpDir: string; cleanup(): void } {
  const runtimeRole = `nexus_app_${crypto.randomBytes(4).toString('hex')}`;
  const runtimeUrl = new URL(db.url);
  runtimeUrl.username = runtimeRole;
  runtimeUrl.password = crypto.randomBytes(12).toString('hex');
  const adminJsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-app-adminjs-'));
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-app-tmp-'));
  return {
    runtimeRole,
    tmpDir,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? os.homedir(),
      TMPDIR: tmpDir,
      DATABASE_OWNER_URL: db.url,
      DATABASE_URL: runtimeUrl.toString(),
      SESSION_SECRET: 'app-process-session-secret-0123456789-abcdefghij',
      SEED_DEMO_DATA: 'true',
      LOG_LEVEL: 'silent',
      ADMIN_JS_TMP_DIR: adminJsDir,
      ...movedClockEnv(),
      ...extra,
    },
    cleanup() {
      fs.rmSync(adminJsDir, { recursive: true, force: true });
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
}

/** `node --import tsx src/main.ts`, as a shop runs it; resolves once it answers /healthz. */
export async function startApp(env: Record<string, string>, children: ChildProcess[]): Promise<AppProcess> {
  const port = await freeLocalPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const output: string[] = [];
  child.stdout!.on('data', (chunk) => output.push(String(chunk)));
  child.stderr!.on('data', (chunk) => output.push(String(chunk)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const base = `http://127.0.0.1:${port}`;
  // Its own banner (so the answer below comes from this child, not from whatever else may hold the port), then /healthz.
  await waitFor(
    'the app to start',
    async () => {
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the app exited during start:\n${output.join('')}`);
      if (!output.join('').includes(`NEXUS is running: ${base}/admin`)) return undefined;
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      return ok ? true : undefined;
    },
    90_000,
  );
  return { child, base, output, exited };
}

/** Kills what `startApp` started and waits for each to be gone. */
export async function stopApps(children: ChildProcess[]): Promise<void> {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(
    children.map((child) => (child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : Promise.resolve())),
  );
}
