import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import forge from 'node-forge';
import pg from 'pg';
import { QueryTypes, type Sequelize } from 'sequelize';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { createPgPool, createSequelize, ensureDatabaseExists, withDatabase } from '../src/db/database.js';
import { databaseSsl, databaseUrlForTls, DatabaseTlsError, type DatabaseSsl } from '../src/db/database-tls.js';
import { freeLocalPort, startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded-postgres.js';

/*
 * A private PostgreSQL 15 with TLS on: a throwaway CA signs a server certificate for
 * "localhost" only (no IP address in it), pg_hba.conf accepts TCP only over TLS, and one role
 * logs in with a client certificate instead of a password. Every connection below goes through
 * the project's own createSequelize / createPgPool / ensureDatabaseExists with databaseSsl(...).
 */

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'nexus-tls-test-'));
fs.chmodSync(root, 0o755); // the postgres OS user (when we run as root) must reach the cluster
const dataDir = path.join(root, 'postgres');
const files = path.join(root, 'pki');
fs.mkdirSync(files);

interface Issued {
  certPem: string;
  keyPem: string;
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

function rsaKeys(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; keyPem: string } {
  // node's crypto makes the key in milliseconds; forge (pure JS) would take seconds.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.setRsaPublicKey(key.n, key.e), keyPem };
}

function issue(commonName: string, extensions: object[], issuer?: Issued): Issued {
  const { privateKey, publicKey, keyPem } = rsaKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = `01${crypto.randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(issuer ? issuer.cert.subject.attributes : [{ name: 'commonName', value: commonName }]);
  cert.setExtensions([...extensions, { name: 'subjectKeyIdentifier' }]);
  cert.sign(issuer ? issuer.key : privateKey, forge.md.sha256.create());
  return { certPem: forge.pki.certificateToPem(cert), keyPem, cert, key: privateKey };
}

const caExtensions = [
  { name: 'basicConstraints', cA: true, critical: true },
  { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
];
const leafExtensions = (usage: 'serverAuth' | 'clientAuth', dnsName?: string) => [
  { name: 'basicConstraints', cA: false },
  { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
  { name: 'extKeyUsage', [usage]: true },
  ...(dnsName ? [{ name: 'subjectAltName', altNames: [{ type: 2, value: dnsName }] }] : []),
];

const shopCa = issue('NEXUS test CA', caExtensions);
const otherCa = issue('Some other CA', caExtensions);
const server = issue('localhost', leafExtensions('serverAuth', 'localhost'), shopCa);
const CERT_USER = 'nexus_cert_user';
const client = issue(CERT_USER, leafExtensions('clientAuth'), shopCa);

function writeFile(name: string, text: string): string {
  const file = path.join(files, name);
  fs.writeFileSync(file, text, { mode: 0o600 });
  return file;
}
const caFile = writeFile('ca.crt', shopCa.certPem);
const otherCaFile = writeFile('other-ca.crt', otherCa.certPem);
const clientCertFile = writeFile('client.crt', client.certPem);
const clientKeyFile = writeFile('client.key', client.keyPem);

afterAll(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

let cluster: EmbeddedPostgres | undefined;
let port = 0;
let password = '';

/** The superuser URL of the private server, on `host` instead of 127.0.0.1. */
function urlOn(host: string, database = 'postgres'): string {
  const url = new URL(withDatabase(cluster!.url, database));
  url.hostname = host;
  return url.toString();
}

const verifyFull = () => databaseSsl({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile });

/** Through createPgPool: is this connection encrypted, and as whom? */
async function sslInfoByPool(url: string, tls: DatabaseSsl): Promise<{ ssl: boolean; user: string }> {
  const pool = createPgPool(url, 1, () => undefined, tls);
  try {
    const result = await pool.query<{ ssl: boolean; user: string }>('SELECT ssl, current_user AS user FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    return result.rows[0]!;
  } finally {
    await pool.end();
  }
}

/** Through createSequelize, the way the app connects. */
async function sslInfoBySequelize(url: string, tls: DatabaseSsl): Promise<boolean> {
  const sequelize: Sequelize = createSequelize({ url, poolMax: 1, acquireTimeoutMs: 10_000, ssl: tls });
  try {
    const rows = await sequelize.query<{ ssl: boolean }>('SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()', { type: QueryTypes.SELECT });
    return rows[0]!.ssl;
  } finally {
    await sequelize.close();
  }
}

/** The error a connection attempt fails with (fails the test if it connects). */
async function refusal(url: string, tls: DatabaseSsl): Promise<Error & { code?: string }> {
  const pool = createPgPool(url, 1, () => undefined, tls);
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    return error as Error & { code?: string };
  } finally {
    await pool.end();
  }
  throw new Error(`connected to ${new URL(url).host} although it should have been refused`);
}

describe('TLS to PostgreSQL against a server with a certificate for "localhost"', () => {
  beforeAll(async () => {
    port = await freeLocalPort();
    // First start: initdb (as the postgres OS user when we are root) and a superuser password.
    cluster = await startEmbeddedPostgres({ dataDir, port, durable: false });
    password = decodeURIComponent(new URL(cluster.url).password);
    const admin = new pg.Client({ connectionString: cluster.url });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${CERT_USER} LOGIN`);
    } finally {
      await admin.end();
    }
    await cluster.stop();

    // TLS on, with the key owned by the cluster's OS user and private (PostgreSQL insists).
    const { uid, gid } = fs.statSync(dataDir);
    for (const [name, text] of [
      ['server.crt', server.certPem],
      ['server.key', server.keyPem],
      ['client-ca.crt', shopCa.certPem],
    ] as const) {
      const file = path.join(dataDir, name);
      fs.writeFileSync(file, text, { mode: 0o600 });
      fs.chownSync(file, uid, gid);
    }
    fs.appendFileSync(
      path.join(dataDir, 'postgresql.conf'),
      "\nssl = on\nssl_cert_file = 'server.crt'\nssl_key_file = 'server.key'\nssl_ca_file = 'client-ca.crt'\n",
    );
    // TCP only over TLS; one role logs in by client certificate (its CN), everyone else by password.
    fs.writeFileSync(
      path.join(dataDir, 'pg_hba.conf'),
      ['local all all scram-sha-256', `hostssl all ${CERT_USER} 127.0.0.1/32 cert`, 'hostssl all all 127.0.0.1/32 scram-sha-256', ''].join('\n'),
    );
    // Second start (pg_ctl -w waits until it accepts connections): the same cluster, now with TLS.
    cluster = await startEmbeddedPostgres({ dataDir, port, durable: false, removeOnStop: true });
  });

  afterAll(async () => {
    await cluster?.stop().catch(() => undefined);
  });

  it('verify-full with the CA connects to localhost, encrypted, through Sequelize, the pg pool and ensureDatabaseExists', async () => {
    expect(await sslInfoBySequelize(urlOn('localhost'), verifyFull())).toBe(true);
    expect(await sslInfoByPool(urlOn('localhost'), verifyFull())).toEqual({ ssl: true, user: 'postgres' });

    await ensureDatabaseExists(urlOn('localhost', 'nexus_tls'), verifyFull());
    expect(await sslInfoByPool(urlOn('localhost', 'nexus_tls'), verifyFull())).toEqual({ ssl: true, user: 'postgres' });
  });

  it('verify-full refuses the same server reached as 127.0.0.1: the host name is not in its certificate', async () => {
    const error = await refusal(urlOn('127.0.0.1'), verifyFull());
    expect(error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(error.message).toMatch(/does not match certificate's altnames: IP: 127\.0\.0\.1 is not in the cert's list/);

    const sequelize = createSequelize({ url: urlOn('127.0.0.1'), poolMax: 1, acquireTimeoutMs: 10_000, ssl: verifyFull() });
    try {
      await expect(sequelize.authenticate()).rejects.toThrow(/does not match certificate's altnames/);
    } finally {
      await sequelize.close();
    }
  });

  it('verify-full refuses a server whose certificate another CA signed', async () => {
    const error = await refusal(urlOn('localhost'), databaseSsl({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: otherCaFile }));
    // The chain does not lead to the trusted CA. Which code depends on whether the server sends
    // its CA along (OpenSSL builds the chain from ssl_ca_file): then the chain ends in a root we
    // do not trust; without it the leaf's issuer is unknown.
    expect(['SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']).toContain(error.code);
    expect(error.message).toMatch(/self-signed certificate in certificate chain|unable to verify the first certificate/);
  });

  it('require encrypts without a CA, and for that very reason accepts a certificate that names another host', async () => {
    const requireMode = databaseSsl({ DATABASE_SSL_MODE: 'require' });
    expect(requireMode).toEqual({ rejectUnauthorized: false });
    expect(await sslInfoBySequelize(urlOn('localhost'), requireMode)).toBe(true);
    // The certificate is for localhost: require does not check, so it would not notice an impostor either.
    expect(await sslInfoByPool(urlOn('127.0.0.1'), requireMode)).toEqual({ ssl: true, user: 'postgres' });
  });

  it('disable is refused by the server, which accepts TCP only over TLS', async () => {
    const error = await refusal(urlOn('localhost'), databaseSsl({ DATABASE_SSL_MODE: 'disable' }));
    expect(error.message).toMatch(/no pg_hba\.conf entry for host "127\.0\.0\.1", user "postgres", database "postgres", no encryption/);

    // The configuration wins over libpq's environment variable too: ssl: false is not "unset".
    const before = process.env.PGSSLMODE;
    process.env.PGSSLMODE = 'require';
    try {
      expect((await refusal(urlOn('localhost'), databaseSsl({ DATABASE_SSL_MODE: 'disable' }))).message).toMatch(/no encryption/);
    } finally {
      if (before === undefined) delete process.env.PGSSLMODE;
      else process.env.PGSSLMODE = before;
    }
  });

  it('a client certificate from DATABASE_SSL_CERT/KEY logs in without a password; without it the same role is refused', async () => {
    const url = new URL(urlOn('localhost'));
    url.username = CERT_USER;
    url.password = '';
    const withCert = databaseSsl({
      DATABASE_SSL_MODE: 'verify-full',
      DATABASE_SSL_CA: caFile,
      DATABASE_SSL_CERT: clientCertFile,
      DATABASE_SSL_KEY: clientKeyFile,
    });
    expect(await sslInfoByPool(url.toString(), withCert)).toEqual({ ssl: true, user: CERT_USER });

    const error = await refusal(url.toString(), verifyFull());
    expect(error.message).toMatch(/certificate authentication failed for user "nexus_cert_user"|connection requires a valid client certificate/);
  });

  it('a sslmode in the URL would override the ssl option, so databaseUrlForTls strips a matching one and refuses a contradicting one', async () => {
    // What node-postgres does on its own: sslmode=disable in the URL beats ssl: { ca, ... }.
    const downgraded = `${urlOn('localhost')}?sslmode=disable`;
    const error = await refusal(downgraded, verifyFull());
    expect(error.message).toMatch(/no encryption/);
    // Which is why the URL goes through databaseUrlForTls first.
    expect(() => databaseUrlForTls(downgraded, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile })).toThrow(
      /carries sslmode=disable, which contradicts DATABASE_SSL_MODE=verify-full/,
    );
    expect(() => databaseUrlForTls(`${urlOn('localhost')}?sslrootcert=${caFile}`, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile })).toThrow(
      DatabaseTlsError,
    );

    const redundant = `${urlOn('localhost')}?sslmode=verify-full&application_name=x`;
    const cleaned = databaseUrlForTls(redundant, { DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile });
    expect(new URL(cleaned).searchParams.has('sslmode')).toBe(false);
    expect(new URL(cleaned).searchParams.get('application_name')).toBe('x');
    expect(new URL(cleaned).password).toBe(encodeURIComponent(password));
    expect(await sslInfoBySequelize(cleaned, verifyFull())).toBe(true);
    // A URL without TLS parameters is used exactly as given.
    expect(databaseUrlForTls(urlOn('localhost'), { DATABASE_SSL_MODE: 'verify-full' })).toBe(urlOn('localhost'));
  });
});

describe('TLS configuration is checked at start', () => {
  const DATABASE_URL = 'postgres://nexus:pw@db.shop.example:5432/nexus';

  function problems(env: Record<string, string>): string {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as ConfigError).problems.join('\n');
    }
    throw new Error('the configuration was accepted');
  }

  it('is off by default', () => {
    const config = loadConfig({ DATABASE_URL });
    expect(config.DATABASE_SSL_MODE).toBe('disable');
    expect(databaseSsl(config)).toBe(false);
  });

  it('refuses verify-full without DATABASE_SSL_CA, and a CA file that is missing or is no certificate', () => {
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-full' })).toMatch(/DATABASE_SSL_CA is required when DATABASE_SSL_MODE=verify-full/);
    const missing = path.join(files, 'nowhere.crt');
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: missing })).toContain(
      `DATABASE_SSL_CA names ${missing}, which does not exist`,
    );
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: clientKeyFile })).toMatch(
      /DATABASE_SSL_CA names .*client\.key, which holds no PEM certificate/,
    );
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: files })).toMatch(/DATABASE_SSL_CA names .*, which is a folder/);
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-fully' })).toMatch(/DATABASE_SSL_MODE/);
  });

  it('accepts verify-full with a readable CA and gives node-postgres the CA with verification on', () => {
    const config = loadConfig({ DATABASE_URL, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile });
    expect(databaseSsl(config)).toEqual({ ca: shopCa.certPem, rejectUnauthorized: true });
  });

  it('wants a client certificate and its key together, both readable', () => {
    const base = { DATABASE_URL, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile };
    expect(problems({ ...base, DATABASE_SSL_CERT: clientCertFile })).toMatch(/DATABASE_SSL_KEY is required with DATABASE_SSL_CERT/);
    expect(problems({ ...base, DATABASE_SSL_KEY: clientKeyFile })).toMatch(/DATABASE_SSL_CERT is required with DATABASE_SSL_KEY/);
    expect(problems({ ...base, DATABASE_SSL_CERT: clientCertFile, DATABASE_SSL_KEY: clientCertFile })).toMatch(
      /DATABASE_SSL_KEY names .*, which holds no PEM private key/,
    );
    const config = loadConfig({ ...base, DATABASE_SSL_CERT: clientCertFile, DATABASE_SSL_KEY: clientKeyFile });
    expect(databaseSsl(config)).toMatchObject({ cert: client.certPem, key: client.keyPem, rejectUnauthorized: true });
  });

  it('refuses settings that would not do what they seem to: a CA with require, files with disable, TLS for the embedded database', () => {
    expect(problems({ DATABASE_URL, DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA: caFile })).toMatch(
      /DATABASE_SSL_CA is set, but DATABASE_SSL_MODE=require does not verify the server/,
    );
    expect(problems({ DATABASE_URL, DATABASE_SSL_CA: caFile })).toMatch(/DATABASE_SSL_CA is set, but DATABASE_SSL_MODE=disable turns TLS off/);
    expect(problems({ DATABASE_SSL_MODE: 'require' })).toMatch(/DATABASE_SSL_MODE is require, but the embedded database \(no DATABASE_URL\) has no TLS/);
  });

  it('refuses a database URL whose own TLS parameters contradict or bypass the configuration', () => {
    expect(problems({ DATABASE_URL: `${DATABASE_URL}?sslmode=disable`, DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA: caFile })).toMatch(
      /DATABASE_URL carries sslmode=disable, which contradicts DATABASE_SSL_MODE=verify-full/,
    );
    expect(problems({ DATABASE_URL: `${DATABASE_URL}?sslmode=require` })).toMatch(
      /DATABASE_URL carries sslmode=require, which contradicts DATABASE_SSL_MODE=disable/,
    );
    expect(problems({ DATABASE_URL: `${DATABASE_URL}?ssl=true&sslrootcert=/etc/ca.pem`, DATABASE_SSL_MODE: 'require' })).toMatch(
      /DATABASE_URL carries ssl, but NEXUS takes TLS settings only from DATABASE_SSL_MODE/,
    );
    expect(problems({ DATABASE_URL, DATABASE_OWNER_URL: `${DATABASE_URL}?sslmode=no-verify`, DATABASE_SSL_MODE: 'require' })).toMatch(
      /DATABASE_OWNER_URL carries sslmode=no-verify/,
    );
    // The same mode, said twice, is harmless: accepted, and removed before connecting.
    const config = loadConfig({ DATABASE_URL: `${DATABASE_URL}?sslmode=require`, DATABASE_SSL_MODE: 'require' });
    expect(databaseUrlForTls(config.DATABASE_URL!, config)).toBe(DATABASE_URL);
  });
});
