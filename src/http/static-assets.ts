import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';
import { projectRoot } from '../paths.js';

/**
 * Versioned URLs: `/v/<version>` in front of an asset's own address. A page names its assets
 * this way, so a browser keeps them for a year and never asks again; a new build has new
 * versions, hence new addresses. The unversioned address keeps working, cached briefly.
 */
export const VERSION_PREFIX = '/v';
export const IMMUTABLE = 'public, max-age=31536000, immutable';
export const SHORT_CACHE = 'public, max-age=300';
/** Another build's version (a page from before a deploy, or from another instance mid-deploy): today's bytes, never kept. */
export const OTHER_VERSION = 'no-cache';

/** Where compressed copies live, by content hash: written by `npm run build:production`, then at first use. */
export const BUILT_COMPRESSED_DIR = path.join(projectRoot, 'dist', 'assets');
const CACHE_DIR = path.join(projectRoot, 'node_modules', '.cache', 'nexus-assets');

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

type Encoding = 'br' | 'gzip';
const ENCODINGS: Encoding[] = ['br', 'gzip'];
const SUFFIX: Record<Encoding, string> = { br: 'br', gzip: 'gz' };

export interface AssetSource {
  /** The unversioned address, from the site's root: /admin/frontend/assets/app.bundle.js */
  url: string;
  contentType: string;
  /** Its bytes: a file read when needed, or (the development components bundle) built on first use. */
  read(): Buffer | Promise<Buffer>;
  /**
   * Set when the version must be known before the bytes are (the components bundle of a
   * development process, built on its first request): otherwise the content's own hash.
   */
  version?: string;
}

interface Loaded {
  hash: string;
  /** Kept only when there is no compressed copy to send instead; read again for the rare client that takes none. */
  identity?: Buffer;
  encoded: Partial<Record<Encoding, Buffer>>;
}

/** Text compresses; fonts in WOFF/WOFF2 and images already are. */
function compressible(contentType: string): boolean {
  return /^(text\/|application\/(javascript|json|vnd\.ms-fontobject)|image\/svg|font\/(ttf|otf))/.test(contentType);
}

function compress(encoding: Encoding, content: Buffer): Promise<Buffer> {
  // Once per build, so the slowest and smallest settings: about 15% smaller than brotli's
  // on-the-fly levels for AdminJS's bundles.
  if (encoding === 'br')
    return brotli(content, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: content.length,
      },
    });
  return gzip(content, { level: zlib.constants.Z_BEST_COMPRESSION });
}

function readCached(hash: string, encoding: Encoding): Buffer | undefined {
  for (const dir of [BUILT_COMPRESSED_DIR, CACHE_DIR]) {
    try {
      return fs.readFileSync(path.join(dir, `${hash}.${SUFFIX[encoding]}`));
    } catch {
      // not compressed there yet
    }
  }
  return undefined;
}

/** Renamed into place, so that a reader never sees half a file. */
function writeCopy(dir: string, hash: string, encoding: Encoding, content: Buffer): void {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${hash}.${SUFFIX[encoding]}`);
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

/** Best effort: a read-only install keeps the copy in memory only, and compresses again in its next process. */
function writeCached(hash: string, encoding: Encoding, content: Buffer): void {
  try {
    writeCopy(CACHE_DIR, hash, encoding, content);
  } catch {
    // not writable
  }
}

function contentHash(content: Buffer): string {
  return crypto.createHash('sha256').update(content).digest('hex');
}

class Asset {
  private loaded?: Promise<Loaded>;
  private fileVersion?: string;

  constructor(readonly source: AssetSource) {}

  get compressible(): boolean {
    return compressible(this.source.contentType);
  }

  /** The version in its URL: known without building anything. */
  version(): string {
    if (this.source.version) return this.source.version;
    if (!this.fileVersion) {
      const content = this.source.read();
      if (!Buffer.isBuffer(content)) throw new Error(`${this.source.url}: the version of a built asset must be given`);
      this.fileVersion = contentHash(content).slice(0, 16);
    }
    return this.fileVersion;
  }

  /** The bytes and their compressed copies, made once (or found on disk) and kept. */
  load(): Promise<Loaded> {
    this.loaded ??= (async () => {
      const identity = await this.source.read();
      const hash = contentHash(identity);
      const encoded: Loaded['encoded'] = {};
      if (this.compressible) {
        await Promise.all(
          ENCODINGS.map(async (encoding) => {
            let copy = readCached(hash, encoding);
            if (!copy) {
              copy = await compress(encoding, identity);
              writeCached(hash, encoding, copy);
            }
            // A copy that does not pay for itself (a tiny file) is not sent.
            if (copy.length < identity.length) encoded[encoding] = copy;
          }),
        );
      }
      return { hash, identity: Object.keys(encoded).length ? undefined : identity, encoded };
    })();
    // A failed build is tried again on the next request.
    this.loaded.catch(() => (this.loaded = undefined));
    return this.loaded;
  }
}

/** The panel's static assets by address: served compressed, versioned, and named so in its pages. */
export class AssetStore {
  private readonly assets = new Map<string, Asset>();

  constructor(sources: AssetSource[]) {
    for (const source of sources) this.assets.set(source.url, new Asset(source));
  }

  /** The address a page should name: versioned, or as given when it is not one of ours. */
  versioned(url: string): string {
    const asset = this.assets.get(url);
    return asset ? `${VERSION_PREFIX}/${asset.version()}${url}` : url;
  }

  /** Every quoted address of ours in a page replaced by its versioned one. */
  versionedInHtml(html: string): string {
    let out = html;
    for (const url of this.assets.keys()) if (out.includes(`"${url}"`)) out = out.split(`"${url}"`).join(`"${this.versioned(url)}"`);
    return out;
  }

  /** Compresses every asset now (the build does), into `dir`. */
  async precompress(dir: string): Promise<number> {
    const assets = await Promise.all([...this.assets.values()].map((asset) => asset.load()));
    for (const { hash, encoded } of assets) for (const encoding of ENCODINGS) if (encoded[encoding]) writeCopy(dir, hash, encoding, encoded[encoding]);
    return assets.length;
  }

  /**
   * GET and HEAD of an asset, at its address or a versioned one. The compressed copy the
   * browser accepts (brotli first), made once; `res.locals.precompressed` tells the dynamic
   * compression (app.ts) to leave it alone.
   */
  handler() {
    return (req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      const { url, version } = splitVersion(req.path);
      const asset = this.assets.get(url);
      if (!asset) return next();
      send(asset, version, req, res).catch(next);
    };
  }
}

async function send(asset: Asset, version: string | undefined, req: Request, res: Response): Promise<void> {
  const loaded = await asset.load();
  const cacheControl = version === undefined ? SHORT_CACHE : version === asset.version() ? IMMUTABLE : OTHER_VERSION;
  // Brotli whenever the browser takes it, whatever order it lists encodings in.
  const encoding = ENCODINGS.find((e) => loaded.encoded[e] && req.acceptsEncodings(e) === e);
  const body = encoding ? loaded.encoded[encoding]! : (loaded.identity ?? (await asset.source.read()));
  res.locals.precompressed = true;
  res.set({
    'Content-Type': asset.source.contentType,
    'Cache-Control': cacheControl,
    ETag: `"${loaded.hash.slice(0, 32)}${encoding ? `-${encoding}` : ''}"`,
  });
  if (asset.compressible) res.vary('Accept-Encoding');
  if (encoding) res.set('Content-Encoding', encoding);
  if (req.fresh) {
    res.status(304).end();
    return;
  }
  res.send(body);
}

/** `/v/<version>/rest` to the asset's own address and the version asked for. */
export function splitVersion(requestPath: string): { url: string; version?: string } {
  const match = /^\/v\/([A-Za-z0-9._-]{1,64})(\/.*)$/.exec(requestPath);
  return match ? { url: match[2]!, version: match[1]! } : { url: requestPath };
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.eot': 'application/vnd.ms-fontobject',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
}

/** A file on disk, read when needed: once for its version, once for its compressed copies. */
export function fileSource(url: string, file: string): AssetSource {
  return { url, contentType: contentTypeOf(file), read: () => fs.readFileSync(file) };
}
