import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '../src/config/config.js';

const SECRET = 'x'.repeat(40);

describe('configuration is validated at start', () => {
  it('runs in development with nothing set: embedded database, demo data, generated session secret', () => {
    const config = loadConfig({});
    expect(config.NODE_ENV).toBe('development');
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.SESSION_SECRET).toBeUndefined();
    expect(config.SEED_DEMO_DATA).toBe(true);
    expect(config.PORT).toBe(3000);
  });

  it('refuses production without SESSION_SECRET or DATABASE_URL, naming both', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(ConfigError);
    try {
      loadConfig({ NODE_ENV: 'production' });
    } catch (error) {
      const problems = (error as ConfigError).problems.join('\n');
      expect(problems).toMatch(/SESSION_SECRET is required when NODE_ENV=production/);
      expect(problems).toMatch(/DATABASE_URL is required when NODE_ENV=production/);
    }
  });

  it('treats an empty variable as unset, so an empty SESSION_SECRET is no secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: '', DATABASE_URL: 'postgres://u@h/db' })).toThrow(/SESSION_SECRET/);
  });

  it('refuses a short session secret and a malformed database URL, with the reason', () => {
    expect(() => loadConfig({ SESSION_SECRET: 'short' })).toThrow(/SESSION_SECRET must be at least 32 characters/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' })).toThrow(/DATABASE_URL must be a postgres/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
    expect(() => loadConfig({ DB_POOL_MAX: '0' })).toThrow(/DB_POOL_MAX/);
  });

  it('accepts a complete production configuration and does not seed demo users unless asked', () => {
    const config = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, DATABASE_URL: 'postgres://nexus_user:pw@db:5432/nexus', DB_POOL_MAX: '20' });
    expect(config.DB_POOL_MAX).toBe(20);
    expect(config.SEED_DEMO_DATA).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, DATABASE_URL: 'postgres://h/db', SEED_DEMO_DATA: 'true' }).SEED_DEMO_DATA).toBe(true);
  });

  it('reads secrets from files (X_FILE), and passwords of the database URLs from files of their own', () => {
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-secrets-'));
    try {
      const file = (name: string, content: string) => {
        const full = path.join(folder, name);
        fs.writeFileSync(full, content, { mode: 0o600 });
        return full;
      };
      const config = loadConfig({
        NODE_ENV: 'production',
        SESSION_SECRET_FILE: file('session', `${SECRET}\n`),
        DATABASE_URL: 'postgres://nexus_runtime@db:5432/nexus',
        DATABASE_PASSWORD_FILE: file('runtime', 'run time/pw:1\n'),
        DATABASE_OWNER_URL: 'postgres://nexus_user@db:5432/nexus',
        DATABASE_OWNER_PASSWORD_FILE: file('owner', 'owner-pw\n'),
      });
      expect(config.SESSION_SECRET).toBe(SECRET);
      expect(config.DATABASE_URL).toBe('postgres://nexus_runtime:run%20time%2Fpw%3A1@db:5432/nexus');
      expect(config.DATABASE_OWNER_URL).toBe('postgres://nexus_user:owner-pw@db:5432/nexus');
      // Both ways at once, a missing file, an empty file, a password without its URL: each named.
      expect(() => loadConfig({ SESSION_SECRET: SECRET, SESSION_SECRET_FILE: file('s2', SECRET) })).toThrow(
        /SESSION_SECRET and SESSION_SECRET_FILE are both set/,
      );
      expect(() => loadConfig({ SESSION_SECRET_FILE: path.join(folder, 'missing') })).toThrow(/SESSION_SECRET_FILE names a file that cannot be read .*ENOENT/);
      expect(() => loadConfig({ SESSION_SECRET_FILE: file('empty', '\n') })).toThrow(/SESSION_SECRET_FILE names an empty file/);
      expect(() => loadConfig({ DATABASE_PASSWORD_FILE: file('alone', 'pw') })).toThrow(/DATABASE_PASSWORD_FILE is set but DATABASE_URL is not/);
      expect(() => loadConfig({ DATABASE_URL: 'postgres://u:inline@h/db', DATABASE_PASSWORD_FILE: file('twice', 'pw') })).toThrow(
        /carries a password and DATABASE_PASSWORD_FILE is set too/,
      );
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });
});
