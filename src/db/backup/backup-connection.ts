import path from 'node:path';
import pg from 'pg';
import { Sequelize } from 'sequelize';
import { databaseSsl, databaseUrlForTls, type DatabaseSsl, type DatabaseTlsSettings } from '../database-tls.js';
import { BackupError } from './backup-error.js';

/** One database as both node-postgres and the libpq tools reach it, with the same TLS settings. */
export interface BackupConnection {
  url: string;
  ssl: DatabaseSsl | undefined;
  /** For --dbname: the URL without its password, which travels in the environment (not `ps`-visible). */
  dbname: string;
  env: NodeJS.ProcessEnv;
}

export function backupConnection(rawUrl: string, tls: DatabaseTlsSettings | undefined): BackupConnection {
  const url = tls ? databaseUrlForTls(rawUrl, tls) : rawUrl;
  const u = new URL(url);
  const password = decodeURIComponent(u.password);
  u.password = '';
  const env: NodeJS.ProcessEnv = { ...process.env, PGAPPNAME: 'nexus-backup' };
  if (password) env.PGPASSWORD = password;
  if (tls) {
    // libpq's own names for DATABASE_SSL_*: the tools get exactly the app's TLS, never weaker.
    for (const name of ['PGSSLMODE', 'PGSSLROOTCERT', 'PGSSLCERT', 'PGSSLKEY']) delete env[name];
    env.PGSSLMODE = tls.DATABASE_SSL_MODE;
    if (tls.DATABASE_SSL_CA) env.PGSSLROOTCERT = path.resolve(tls.DATABASE_SSL_CA);
    if (tls.DATABASE_SSL_CERT) env.PGSSLCERT = path.resolve(tls.DATABASE_SSL_CERT);
    if (tls.DATABASE_SSL_KEY) env.PGSSLKEY = path.resolve(tls.DATABASE_SSL_KEY);
  }
  return { url, ssl: tls ? databaseSsl(tls) : undefined, dbname: u.toString(), env };
}

/**
 * For the audit services (sealer, verifier). A bare Sequelize, not createSequelize: that one
 * binds the app's models to itself, which a backup taken inside a running app must not do.
 */
export function auditSequelize(c: BackupConnection): Sequelize {
  return new Sequelize(c.url, {
    dialect: 'postgres',
    dialectModule: pg,
    logging: false,
    pool: { max: 1, min: 0, acquire: 10_000, idle: 10_000 },
    dialectOptions: { application_name: 'nexus-backup', ...(c.ssl === undefined ? {} : { ssl: c.ssl }) },
  });
}

export function withDatabaseName(c: BackupConnection, name: string): BackupConnection {
  const rename = (url: string) => {
    const u = new URL(url);
    u.pathname = `/${encodeURIComponent(name)}`;
    return u.toString();
  };
  return { ...c, url: rename(c.url), dbname: rename(c.dbname) };
}

export async function connect(c: BackupConnection): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: c.url, application_name: 'nexus-backup', ...(c.ssl === undefined ? {} : { ssl: c.ssl }) });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

export function databaseName(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!name) throw new BackupError(`${redact(url)} names no database`);
  return name;
}

/** A URL fit for messages and logs. */
export function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}
