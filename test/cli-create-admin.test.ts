import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

/**
 * A database without demo data gets its first administrator from `nexus user:create-admin`,
 * never with a password on the command line, and audited under a named system actor.
 */

let db: TestDatabase;
let folder: string;

function nexus(args: string[], input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/nexus.ts', ...args], {
    encoding: 'utf8',
    input,
    env: { ...process.env, DATABASE_URL: db.url, NODE_ENV: 'development' },
    timeout: 60_000,
  });
}

const admins = async () => (await db.query<{ username: string }>(`SELECT username FROM users WHERE role = 'admin' ORDER BY id`)).rows.map((r) => r.username);

beforeAll(async () => {
  db = await createTestDatabase();
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-admin-'));
});
afterAll(async () => {
  await db?.drop();
  if (folder) fs.rmSync(folder, { recursive: true, force: true });
});

describe('nexus user:create-admin', () => {
  it('refuses a password on the command line, and creates nothing', async () => {
    const run = nexus([
      'user:create-admin',
      '--username',
      'first.admin',
      '--name',
      'First Admin',
      '--email',
      'first@shop.example',
      '--password',
      'a-long-enough-secret-1',
    ]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/command line is seen by anyone/);
    expect(await admins()).toEqual([]);
  });

  it('refuses a weak password from the file, and creates nothing', async () => {
    const file = path.join(folder, 'weak');
    fs.writeFileSync(file, 'short\n', { mode: 0o600 });
    const run = nexus(['user:create-admin', '--username', 'first.admin', '--name', 'First Admin', '--email', 'first@shop.example', '--password-file', file]);
    expect({ status: run.status, stderr: run.stderr.trim() }).toEqual({ status: 1, stderr: 'Password must be at least 12 characters. Nothing was created.' });
    expect(await admins()).toEqual([]);
  });

  it('creates the first administrator from a password file, audited as system:cli:create-admin, who can sign in', async () => {
    const file = path.join(folder, 'password');
    fs.writeFileSync(file, 'the-first-admins-secret-42\n', { mode: 0o600 });
    const run = nexus(['user:create-admin', '--username', 'First.Admin', '--name', 'First Admin', '--email', 'first@shop.example', '--password-file', file]);
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
    expect(run.stdout).toMatch(/Created administrator first\.admin \(First Admin, first@shop\.example\)/);
    expect(await admins()).toEqual(['first.admin']);
    const audit = await db.query<{ actor_username: string; field_name: string; new_value: string }>(
      `SELECT actor_username, field_name, new_value FROM audit_logs WHERE table_name = 'users' AND action = 'create' ORDER BY id`,
    );
    expect(new Set(audit.rows.map((r) => r.actor_username))).toEqual(new Set(['system:cli:create-admin']));
    expect(audit.rows.find((r) => r.field_name === 'password')?.new_value).toBe('(new password set)');
    const { authenticate } = await import('../src/auth/auth.service.js');
    expect(await authenticate('first.admin', 'the-first-admins-secret-42')).toMatchObject({ ok: true, user: { role: 'admin' } });
  });

  it('makes only the first: with an active administrator it refuses, and points to the panel', async () => {
    const run = nexus(
      ['user:create-admin', '--username', 'second.admin', '--name', 'Second Admin', '--email', 'second@shop.example'],
      'another-long-secret-43\n',
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/An active administrator exists \(first\.admin\).*in the panel/);
    expect(await admins()).toEqual(['first.admin']);
  });
});
