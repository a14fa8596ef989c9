import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-embedded-test-'));
fs.chmodSync(root, 0o755);
const dataDir = path.join(root, 'postgres');
const ownerFile = path.join(root, 'postgres.owner');
const started: EmbeddedPostgres[] = [];

async function ping(url: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  } finally {
    await client.end();
  }
}

function postmasterPid(): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

afterAll(async () => {
  for (const cluster of started.reverse()) await cluster.stop().catch(() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
});

describe('embedded PostgreSQL', () => {
  it('recovers a server orphaned by a kill -9 of its owner, then shares a server whose owner is alive', async () => {
    const port = await freeLocalPort();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await startEmbeddedPostgres({ dataDir, port, durable: false, log });
    started.push(first);
    expect(await ping(first.url)).toBeGreaterThan(0);
    const firstPostmaster = postmasterPid();

    // The owner died without stopping its server: a finished process's pid stands in for it.
    const dead = spawnSync(process.execPath, ['-e', 'process.pid']).pid!;
    fs.writeFileSync(ownerFile, String(dead));
    const second = await startEmbeddedPostgres({ dataDir, port, durable: false, log });
    started.push(second);
    expect(lines.some((l) => l.includes('left running by an earlier run'))).toBe(true);
    expect(postmasterPid()).not.toBe(firstPostmaster);
    expect(await ping(second.url)).toBeGreaterThan(0);

    // Another live process owns the server now (npm start, while a db:* command runs beside it).
    const owner = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(ownerFile, String(owner.pid));
      const shared = await startEmbeddedPostgres({ dataDir, port: port + 1, durable: false, log });
      expect(shared.port).toBe(port);
      expect(lines.some((l) => l.includes(`already run by process ${owner.pid}`))).toBe(true);
      await shared.stop();
      // Stopping a shared server leaves it running for its owner.
      expect(await ping(second.url)).toBeGreaterThan(0);
    } finally {
      owner.kill();
      fs.writeFileSync(ownerFile, String(process.pid));
    }

    await second.stop();
    await expect(ping(second.url)).rejects.toThrow();
    expect(fs.existsSync(ownerFile)).toBe(false);
  }, 90_000);
});
