import Busboy from 'busboy';
import contentType from 'content-type';
import type { NextFunction, Request, Response } from 'express';
import { asyncRoute } from './async-route.js';

/**
 * One gate in front of every route: it decides the method, the query's shape, the body's type,
 * size and fields before any handler runs, and answers a refusal once, with a reason. Handlers
 * behind it read `req.payload`, a flat map of field name to value that is already known to be
 * well formed; nothing is written to disk (no file is ever accepted), and no body is read past
 * MAX_BODY_BYTES.
 */

/** A form is text a person typed: a megabyte is plenty. Said in README. */
export const MAX_BODY_BYTES = 1024 * 1024;
/** No form of the panel comes near; more is a refusal, never a silent cut. */
export const MAX_FIELDS = 500;
/** A body that has not arrived in full after this long is cut off (a slow client holds a connection). */
export const DEFAULT_BODY_TIMEOUT_MS = 30_000;

export type FieldValue = string | number | boolean | null;
export type Payload = Record<string, FieldValue>;

declare module 'express-serve-static-core' {
  interface Request {
    /** The body's fields, checked by the gate; {} for a request without a body. */
    payload: Payload;
  }
}

const ALLOWED_METHODS = 'GET, HEAD, POST';
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'application/json']);
/** A field or parameter name: words joined by dots (AdminJS flattens nested values as a.0.b). */
const NAME = /^[A-Za-z0-9_~-]{1,100}(\.[A-Za-z0-9_~-]{1,100}){0,7}$/;
const FORBIDDEN_SEGMENTS = new Set(['__proto__', 'constructor', 'prototype']);

export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The field or parameter refused, when it is one: named in the answer for the caller to point at. */
    readonly subject?: { kind: 'field' | 'parameter'; name: string },
  ) {
    super(message);
    this.name = 'RequestRefused';
  }
}

function checkName(name: string, what: 'field' | 'parameter'): void {
  if (!NAME.test(name)) {
    const shown = JSON.stringify(name.length > 60 ? `${name.slice(0, 60)}…` : name);
    throw new RequestRefused(400, `The ${what} name ${shown} is not accepted: names are letters, digits and _ joined by dots (no brackets, no nesting).`);
  }
  if (name.split('.').some((segment) => FORBIDDEN_SEGMENTS.has(segment))) {
    throw new RequestRefused(400, `The ${what} name "${name}" is not accepted.`);
  }
}

function checkText(name: string, value: string, what: 'field' | 'parameter'): void {
  const subject = { kind: what, name };
  if (!value.isWellFormed()) throw new RequestRefused(400, `The ${what} "${name}" is not valid Unicode text (a lone surrogate).`, subject);
  if (value.includes('\u0000'))
    throw new RequestRefused(400, `The ${what} "${name}" contains a NUL character (a control character no text may hold).`, subject);
}

/** Decodes a www-form-urlencoded component strictly: bad escapes or invalid UTF-8 are refused, not replaced. */
function decodeComponent(raw: string, what: 'field' | 'parameter'): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw new RequestRefused(400, `A ${what} is not valid percent-encoded UTF-8 text.`);
  }
}

/** name=value pairs, each name once. */
function parsePairs(text: string, what: 'field' | 'parameter'): Payload {
  const out: Payload = Object.create(null) as Payload;
  let count = 0;
  for (const part of text.split('&')) {
    if (part === '') continue;
    count += 1;
    if (count > MAX_FIELDS) throw new RequestRefused(413, `More than ${MAX_FIELDS} ${what}s: nothing was done.`);
    const eq = part.indexOf('=');
    const name = decodeComponent(eq < 0 ? part : part.slice(0, eq), what);
    const value = decodeComponent(eq < 0 ? '' : part.slice(eq + 1), what);
    add(out, name, value, what);
  }
  return out;
}

function add(out: Payload, name: string, value: FieldValue, what: 'field' | 'parameter'): void {
  checkName(name, what);
  if (typeof value === 'string') checkText(name, value, what);
  if (Object.prototype.hasOwnProperty.call(out, name))
    throw new RequestRefused(400, `The ${what} "${name}" is given twice: send each once.`, { kind: what, name });
  out[name] = value;
}

/** The query string, checked like a form (Express's own parser keeps reading req.query). */
function checkQuery(req: Request): void {
  const at = req.originalUrl.indexOf('?');
  if (at >= 0) parsePairs(req.originalUrl.slice(at + 1), 'parameter');
  if (/%00|\u0000/.test(req.path) || !safePath(req.path)) throw new RequestRefused(400, 'The address is not valid percent-encoded UTF-8.');
}

function safePath(pathname: string): boolean {
  try {
    return decodeURIComponent(pathname).isWellFormed();
  } catch {
    return false;
  }
}

function utf8(bytes: Buffer, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RequestRefused(400, `The ${what} is not valid UTF-8 text.`);
  }
}

function parseJson(text: string): Payload {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new RequestRefused(400, 'The body is not valid JSON.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RequestRefused(400, 'The body must be a JSON object of named fields.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_FIELDS) throw new RequestRefused(413, `More than ${MAX_FIELDS} fields: nothing was done.`);
  const out: Payload = Object.create(null) as Payload;
  for (const [name, field] of entries) {
    if (field !== null && typeof field === 'object') throw new RequestRefused(400, `The field "${name}" holds a list or an object: send plain values.`);
    if (typeof field === 'number' && !Number.isFinite(field)) throw new RequestRefused(400, `The field "${name}" is not a finite number.`);
    add(out, name, field as FieldValue, 'field');
  }
  return out;
}

/** Reads the whole body, at most MAX_BODY_BYTES, within timeoutMs. */
function readBody(req: Request, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (error: Error | null, body?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.removeListener('data', onData);
      if (error) {
        req.pause();
        reject(error);
      } else resolve(body!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return finish(tooLarge());
      chunks.push(chunk);
    };
    const timer = setTimeout(() => finish(new RequestRefused(408, `The body did not arrive within ${timeoutMs / 1000} seconds: nothing was done.`)), timeoutMs);
    req.on('data', onData);
    req.once('end', () => finish(null, Buffer.concat(chunks)));
    req.once('close', () => finish(new RequestRefused(400, 'The body was cut off before its end.')));
    req.once('error', () => finish(new RequestRefused(400, 'The body could not be read.')));
  });
}

const tooLarge = () => new RequestRefused(413, `The body is larger than ${MAX_BODY_BYTES / 1024} KiB: nothing was done. Forms take text only, no files.`);

/** Multipart fields with busboy, which streams: no file part is accepted, nothing touches the disk. */
function parseMultipart(boundaryHeader: string, body: Buffer): Promise<Payload> {
  return new Promise((resolve, reject) => {
    const out: Payload = Object.create(null) as Payload;
    let settled = false;
    const finish = (error: Error | null) => {
      if (settled) return;
      settled = true;
      if (error) reject(error);
      else resolve(out);
    };
    let parser: Busboy.Busboy;
    try {
      // latin1: each byte a character, so that the bytes can be checked as UTF-8 below instead
      // of being decoded leniently (an invalid sequence must be refused, not replaced).
      parser = Busboy({
        headers: { 'content-type': boundaryHeader },
        defCharset: 'latin1',
        defParamCharset: 'utf8',
        limits: { fields: MAX_FIELDS, files: 0, parts: MAX_FIELDS, fieldSize: MAX_BODY_BYTES, fieldNameSize: 200 },
      });
    } catch (error) {
      finish(new RequestRefused(400, `The multipart body cannot be read: ${(error as Error).message}.`));
      return;
    }
    parser.on('field', (name, value, info) => {
      if (settled) return;
      try {
        if (info.valueTruncated || info.nameTruncated) throw tooLarge();
        add(out, name, utf8(Buffer.from(value, 'latin1'), `field "${name}"`), 'field');
      } catch (error) {
        finish(error as Error);
      }
    });
    parser.on('file', (name, stream) => {
      stream.resume();
      finish(new RequestRefused(400, `The part "${name}" is a file: NEXUS accepts no file uploads.`));
    });
    parser.on('filesLimit', () => finish(new RequestRefused(400, 'NEXUS accepts no file uploads.')));
    parser.on('fieldsLimit', () => finish(new RequestRefused(413, `More than ${MAX_FIELDS} fields: nothing was done.`)));
    parser.on('partsLimit', () => finish(new RequestRefused(413, `More than ${MAX_FIELDS} parts: nothing was done.`)));
    parser.on('error', (error: Error) => finish(new RequestRefused(400, `The multipart body is malformed: ${error.message}.`)));
    parser.on('close', () => finish(null));
    parser.end(body);
  });
}

async function parseBody(req: Request, timeoutMs: number): Promise<Payload> {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (declared === undefined && !chunked) return Object.create(null) as Payload;
  if (declared !== undefined && !/^\d{1,15}$/.test(declared)) throw new RequestRefused(400, 'Content-Length is not a number.');
  if (Number(declared ?? 0) > MAX_BODY_BYTES) throw tooLarge();
  if (declared === '0' && !chunked) return Object.create(null) as Payload;
  if (req.method !== 'POST') throw new RequestRefused(400, `A ${req.method} request carries no body.`);
  const header = req.headers['content-type'];
  if (!header) throw new RequestRefused(415, 'The body has no Content-Type: send a form (urlencoded or multipart) or JSON.');
  let type: contentType.ParsedMediaType;
  try {
    type = contentType.parse(header);
  } catch {
    throw new RequestRefused(415, `The Content-Type "${header.slice(0, 80)}" cannot be read.`);
  }
  if (!FORM_TYPES.has(type.type)) throw new RequestRefused(415, `Bodies of type ${type.type} are not accepted: send a form (urlencoded or multipart) or JSON.`);
  const charset = type.parameters.charset?.toLowerCase();
  if (charset && charset !== 'utf-8' && charset !== 'utf8') throw new RequestRefused(415, `The charset ${charset} is not accepted: send UTF-8.`);
  if (type.type === 'multipart/form-data' && !type.parameters.boundary) throw new RequestRefused(400, 'The multipart body names no boundary.');
  const body = await readBody(req, timeoutMs);
  if (type.type === 'multipart/form-data') return parseMultipart(header, body);
  const text = utf8(body, 'body');
  return type.type === 'application/json' ? parseJson(text) : parsePairs(text, 'field');
}

/** Sends the refusal once; a body left unread is not drained (the connection closes instead). */
export function sendRefusal(req: Request, res: Response, error: RequestRefused): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (error.status === 405) res.set('Allow', ALLOWED_METHODS);
  if (!req.complete) res.set('Connection', 'close');
  res.status(error.status).json({ error: error.message, ...(error.subject && { [error.subject.kind]: error.subject.name }), requestId: req.nexus?.requestId });
}

export function requestGate(options: { bodyTimeoutMs?: number } = {}) {
  const timeoutMs = options.bodyTimeoutMs ?? DEFAULT_BODY_TIMEOUT_MS;
  return asyncRoute(async (req: Request, res: Response, next: NextFunction) => {
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'POST') {
        throw new RequestRefused(405, `${req.method} is not used here: NEXUS answers GET and POST (HEAD for reading).`);
      }
      checkQuery(req);
      req.payload = await parseBody(req, timeoutMs);
    } catch (error) {
      if (error instanceof RequestRefused) return sendRefusal(req, res, error);
      return next(error);
    }
    next();
  });
}
