import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';

/**
 * TLS between NEXUS and PostgreSQL, configured only by DATABASE_SSL_MODE, DATABASE_SSL_CA,
 * DATABASE_SSL_CERT and DATABASE_SSL_KEY.
 *
 * - disable: plain TCP.
 * - require: encrypted, but the server is NOT verified: anyone who can intercept the connection
 *   can present any certificate and read or change the traffic. Protects against passive
 *   eavesdropping only.
 * - verify-full: encrypted, the server's certificate must chain to DATABASE_SSL_CA and name the
 *   host in the connection URL (node's tls checks the host name against the certificate's
 *   subjectAltName; test/database-tls.test.ts proves a wrong host name is refused).
 *
 * node-postgres also reads `sslmode`, `ssl`, `sslrootcert`, `sslcert` and `sslkey` from a
 * connection string, and what it reads there REPLACES the `ssl` option we give it (and
 * Sequelize copies URL parameters over its dialectOptions the same way). So the URL must not
 * carry TLS settings of its own: a `sslmode` naming the configured mode is redundant and is
 * removed; anything else is refused, so that a URL can never quietly weaken the configuration.
 */

export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];

export interface DatabaseTlsSettings {
  DATABASE_SSL_MODE: DatabaseSslMode;
  DATABASE_SSL_CA?: string | undefined;
  DATABASE_SSL_CERT?: string | undefined;
  DATABASE_SSL_KEY?: string | undefined;
}

/** What the configuration check looks at: the TLS settings and the URLs they apply to. */
export interface DatabaseTlsEnvironment extends DatabaseTlsSettings {
  DATABASE_URL?: string | undefined;
  DATABASE_OWNER_URL?: string | undefined;
}

/** The value for node-postgres' `ssl` option (and Sequelize's `dialectOptions.ssl`). */
export type DatabaseSsl = false | ConnectionOptions;

export interface DatabaseTlsProblem {
  variable: string;
  message: string;
}

export class DatabaseTlsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatabaseTlsError';
  }
}

const FILE_VARIABLES = ['DATABASE_SSL_CA', 'DATABASE_SSL_CERT', 'DATABASE_SSL_KEY'] as const;
type FileVariable = (typeof FILE_VARIABLES)[number];

/** Why a PEM file cannot be used, or undefined when it can. */
function pemFileProblem(variable: FileVariable, file: string): string | undefined {
  const shown = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `names ${shown}, which does not exist`;
    if (code === 'EACCES' || code === 'EPERM') return `names ${shown}, which this process may not read (permission denied)`;
    if (code === 'EISDIR') return `names ${shown}, which is a folder, not a PEM file`;
    return `names ${shown}, which cannot be read (${code ?? String(error)})`;
  }
  if (variable === 'DATABASE_SSL_KEY') {
    if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(text)) {
      return `names ${shown}, an encrypted private key; NEXUS needs it unencrypted (protect the file with its permissions instead)`;
    }
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) return `names ${shown}, which holds no PEM private key (-----BEGIN PRIVATE KEY-----)`;
    return undefined;
  }
  if (!text.includes('-----BEGIN CERTIFICATE-----')) return `names ${shown}, which holds no PEM certificate (-----BEGIN CERTIFICATE-----)`;
  return undefined;
}

function isTlsUrlParameter(name: string): boolean {
  return name.startsWith('ssl') || name === 'uselibpqcompat' || name === 'requiressl';
}

/** Why `url` cannot be used with `mode`, or undefined when it can (after databaseUrlForTls). */
function urlProblem(url: string, mode: DatabaseSslMode): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined; // not ours to judge: the URL's own validation reports it
  }
  for (const [name, value] of parsed.searchParams) {
    if (!isTlsUrlParameter(name)) continue;
    if (name === 'sslmode') {
      if (value === mode) continue;
      return (
        `carries sslmode=${value}, which contradicts DATABASE_SSL_MODE=${mode}; ` +
        'NEXUS takes TLS settings from DATABASE_SSL_MODE only: remove sslmode from the URL'
      );
    }
    return (
      `carries ${name}, but NEXUS takes TLS settings only from DATABASE_SSL_MODE, DATABASE_SSL_CA, ` +
      'DATABASE_SSL_CERT and DATABASE_SSL_KEY: remove it from the URL'
    );
  }
  return undefined;
}

/** Every reason the TLS configuration cannot work, each naming its variable, for the config check. */
export function databaseTlsProblems(env: DatabaseTlsEnvironment): DatabaseTlsProblem[] {
  const problems: DatabaseTlsProblem[] = [];
  const mode = env.DATABASE_SSL_MODE;
  const add = (variable: string, message: string) => problems.push({ variable, message });

  if (mode !== 'disable' && !env.DATABASE_URL) {
    add('DATABASE_SSL_MODE', `is ${mode}, but the embedded database (no DATABASE_URL) has no TLS: set DATABASE_URL or unset DATABASE_SSL_MODE`);
  }
  if (mode === 'verify-full' && !env.DATABASE_SSL_CA) {
    add('DATABASE_SSL_CA', "is required when DATABASE_SSL_MODE=verify-full (a PEM file with the CA certificate that signed the server's certificate)");
  }
  if (mode === 'require' && env.DATABASE_SSL_CA) {
    add('DATABASE_SSL_CA', 'is set, but DATABASE_SSL_MODE=require does not verify the server: set DATABASE_SSL_MODE=verify-full to use the CA');
  }
  if (mode === 'disable') {
    for (const variable of FILE_VARIABLES) {
      if (env[variable]) add(variable, 'is set, but DATABASE_SSL_MODE=disable turns TLS off: set DATABASE_SSL_MODE=verify-full (or unset it)');
    }
  }
  if (Boolean(env.DATABASE_SSL_CERT) !== Boolean(env.DATABASE_SSL_KEY)) {
    const [given, missing] = env.DATABASE_SSL_CERT ? ['DATABASE_SSL_CERT', 'DATABASE_SSL_KEY'] : ['DATABASE_SSL_KEY', 'DATABASE_SSL_CERT'];
    add(missing, `is required with ${given} (a client certificate needs both the certificate and its private key)`);
  }
  if (mode !== 'disable') {
    for (const variable of FILE_VARIABLES) {
      const file = env[variable];
      const problem = file ? pemFileProblem(variable, file) : undefined;
      if (problem) add(variable, problem);
    }
  }
  for (const variable of ['DATABASE_URL', 'DATABASE_OWNER_URL'] as const) {
    const url = env[variable];
    const problem = url ? urlProblem(url, mode) : undefined;
    if (problem) add(variable, problem);
  }
  return problems;
}

function readPem(variable: FileVariable, file: string): string {
  const problem = pemFileProblem(variable, file);
  if (problem) throw new DatabaseTlsError(`${variable} ${problem}`);
  return fs.readFileSync(file, 'utf8');
}

/**
 * The `ssl` option for node-postgres: give it to createSequelize, createPgPool and
 * ensureDatabaseExists together with the URL from databaseUrlForTls.
 */
export function databaseSsl(settings: DatabaseTlsSettings): DatabaseSsl {
  const mode = settings.DATABASE_SSL_MODE;
  if (mode === 'disable') return false;
  const clientCertificate: ConnectionOptions = {};
  if (settings.DATABASE_SSL_CERT && settings.DATABASE_SSL_KEY) {
    clientCertificate.cert = readPem('DATABASE_SSL_CERT', settings.DATABASE_SSL_CERT);
    clientCertificate.key = readPem('DATABASE_SSL_KEY', settings.DATABASE_SSL_KEY);
  } else if (settings.DATABASE_SSL_CERT || settings.DATABASE_SSL_KEY) {
    throw new DatabaseTlsError('DATABASE_SSL_CERT and DATABASE_SSL_KEY go together: set both or neither');
  }
  if (mode === 'require') {
    // Encrypted, NOT verified: any certificate is accepted, so this stops passive eavesdropping
    // but not someone who can sit between NEXUS and the database. Use verify-full for that.
    return { rejectUnauthorized: false, ...clientCertificate };
  }
  if (mode === 'verify-full') {
    if (!settings.DATABASE_SSL_CA) throw new DatabaseTlsError('DATABASE_SSL_CA is required when DATABASE_SSL_MODE=verify-full');
    // rejectUnauthorized makes node's tls check the chain against `ca` AND the host name of the
    // URL against the certificate (node-postgres passes the host on as servername/host).
    return { ca: readPem('DATABASE_SSL_CA', settings.DATABASE_SSL_CA), rejectUnauthorized: true, ...clientCertificate };
  }
  throw new DatabaseTlsError(`DATABASE_SSL_MODE must be one of ${DATABASE_SSL_MODES.join(', ')} (got ${String(mode)})`);
}

/**
 * `url` ready to be used with databaseSsl(settings): a `sslmode` that names the configured mode
 * is removed (node-postgres would otherwise replace our `ssl` option with what it derives from
 * it); any other TLS parameter, or a sslmode that contradicts the configuration, is refused.
 */
export function databaseUrlForTls(url: string, settings: DatabaseTlsSettings): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // The URL holds a password: never echo it.
    throw new DatabaseTlsError('The database URL is not a valid postgres:// URL');
  }
  const problem = urlProblem(url, settings.DATABASE_SSL_MODE);
  if (problem) throw new DatabaseTlsError(`The database URL ${problem}`);
  if (!parsed.searchParams.has('sslmode')) return url;
  parsed.searchParams.delete('sslmode');
  return parsed.toString();
}
