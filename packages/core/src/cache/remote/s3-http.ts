/**
 * One signed HTTP exchange with an S3-compatible store over node:http(s): a keep-alive agent per
 * endpoint, bodies as buffers or streams (never held in memory whole), a response either read
 * whole (small: manifests, listings, errors) or handed over as a stream (files).
 */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { SerxError } from '../../errors.ts';
import { describeErrorBody } from './s3-xml.ts';
import { type Credentials, EMPTY_SHA256, signRequest, uriEncode } from './sigv4.ts';

export interface S3Target {
  /** `http://127.0.0.1:8333`, `https://s3.eu-west-1.amazonaws.com` */
  endpoint: URL;
  bucket: string;
  region: string;
  /** `endpoint/bucket/key` (true) or `bucket.endpoint/key` (virtual-hosted). */
  pathStyle: boolean;
  credentials: Credentials;
}

export interface S3Request {
  method: 'GET' | 'PUT' | 'HEAD' | 'DELETE';
  /** The object key; empty for a bucket request (a listing). */
  key: string;
  query?: { [name: string]: string };
  headers?: { [name: string]: string };
  /** A buffer, or a stream factory with its length (made anew for a retry). */
  body?: Buffer | { size: number; open: () => Readable };
  /** Hex sha256 of the body (default: of the buffer, or of nothing). */
  payloadHash?: string;
  /** Statuses that are answers rather than errors (404 for a HEAD, 412 for a conditional PUT). */
  expect?: readonly number[];
}

export interface S3Response {
  status: number;
  headers: IncomingMessage['headers'];
  /** The body, unread (the caller reads or discards it). */
  stream: IncomingMessage;
}

/** Milliseconds without any byte in either direction before a request is abandoned. */
const IDLE_TIMEOUT_MS = 60_000;

const agents = new Map<string, http.Agent>();
function agentFor(url: URL): http.Agent {
  const id = `${url.protocol}//${url.host}`;
  let agent = agents.get(id);
  if (!agent) {
    const options = { keepAlive: true, maxSockets: 16 };
    agent = url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
    agents.set(id, agent);
  }
  return agent;
}

/** Where an object lives, as a display name (`s3://bucket/key`) and as the URL to request. */
export function objectUrl(target: S3Target, key: string): URL {
  const base = target.endpoint;
  const path = `${base.pathname.replace(/\/$/, '')}/${target.pathStyle ? `${target.bucket}/` : ''}${uriEncode(key, true)}`;
  const url = new URL(base.href);
  if (!target.pathStyle) url.host = `${target.bucket}.${base.host}`;
  url.pathname = path;
  return url;
}

export const displayName = (target: S3Target, key: string) => `s3://${target.bucket}/${key}`;

export async function readBody(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function remoteError(what: string, detail: string, cause?: unknown): SerxError {
  return new SerxError('REMOTE', `remote cache: ${what}: ${detail}`, cause ? { cause } : {});
}

/** Sends one request; a status outside 2xx and `expect` is a `REMOTE` error with the store's code. */
export async function send(target: S3Target, request: S3Request): Promise<S3Response> {
  const url = objectUrl(target, request.key);
  const body = request.body;
  const size = body === undefined ? 0 : Buffer.isBuffer(body) ? body.length : body.size;
  const payloadHash =
    request.payloadHash ??
    (Buffer.isBuffer(body)
      ? (await import('node:crypto')).createHash('sha256').update(body).digest('hex')
      : EMPTY_SHA256);
  const query = request.query ?? {};
  const headers = signRequest({
    method: request.method,
    path: url.pathname,
    query,
    headers: {
      ...(request.headers ?? {}),
      ...(request.method === 'PUT' ? { 'content-length': String(size) } : {}),
    },
    host: url.host,
    region: target.region,
    payloadHash,
    credentials: target.credentials,
    date: new Date(),
  });
  const search = Object.entries(query)
    .map(([n, v]) => `${uriEncode(n)}=${uriEncode(v)}`)
    .join('&');
  const what = `${request.method} ${displayName(target, request.key)}`;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const client = url.protocol === 'https:' ? https : http;
    const req = client.request(
      {
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${search ? `?${search}` : ''}`,
        headers,
        agent: agentFor(url),
      },
      resolve,
    );
    req.setTimeout(IDLE_TIMEOUT_MS, () =>
      req.destroy(remoteError(what, `no answer for ${IDLE_TIMEOUT_MS / 1000} s`)),
    );
    req.on('error', (error) =>
      reject(error instanceof SerxError ? error : remoteError(what, error.message, error)),
    );
    if (body === undefined) req.end();
    else if (Buffer.isBuffer(body)) req.end(body);
    else {
      const stream = body.open();
      // a body that fails (a file that changed, a hash that does not match) aborts the request:
      // the store never completes the object
      stream.on('error', (error) => req.destroy(error));
      stream.pipe(req);
    }
  });
  const status = response.statusCode ?? 0;
  if ((status >= 200 && status < 300) || request.expect?.includes(status))
    return { status, headers: response.headers, stream: response };
  const text = (await readBody(response).catch(() => Buffer.alloc(0))).toString('utf8');
  throw remoteError(what, `HTTP ${status}${text ? ` ${describeErrorBody(text)}` : ''}`);
}

/** Whether an error is worth one more try (the connection, a 5xx, a throttle), not the request. */
export function retryable(error: unknown): boolean {
  const message = (error as Error).message ?? '';
  return (
    error instanceof SerxError &&
    error.code === 'REMOTE' &&
    (/HTTP (5\d\d|429)/.test(message) || !/HTTP \d{3}/.test(message)) &&
    !/sha256|changed while/.test(message)
  );
}
