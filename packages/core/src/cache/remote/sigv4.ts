/**
 * AWS Signature Version 4 for S3 requests (header form), with node:crypto only. The payload hash
 * is the caller's: a hex sha256 of the body (known beforehand for cache files: it is in the
 * manifest), `EMPTY_SHA256` for no body, or `UNSIGNED-PAYLOAD`.
 */
import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignInput {
  method: string;
  /** The absolute path as sent, already percent-encoded (`/bucket/a%20b`). */
  path: string;
  /** Query parameters, unencoded. */
  query: { [name: string]: string };
  /** Headers to sign besides host and the x-amz-* ones added here (lower-case names). */
  headers: { [name: string]: string };
  host: string;
  region: string;
  payloadHash: string;
  credentials: Credentials;
  /** The signing time (tests pin it). */
  date: Date;
}

export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const hex = (data: string) => createHash('sha256').update(data).digest('hex');

/** RFC 3986 encoding as SigV4 wants it: everything but unreserved characters, `/` kept when asked. */
export function uriEncode(text: string, keepSlash = false): string {
  const encoded = encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return keepSlash ? encoded.replace(/%2F/g, '/') : encoded;
}

export function canonicalQuery(query: { [name: string]: string }): string {
  return Object.keys(query)
    .map((name) => [uriEncode(name), uriEncode(query[name] as string)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** `YYYYMMDDTHHMMSSZ` */
export const amzDate = (date: Date) =>
  date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/**
 * The headers to send: the caller's, plus `host`, `x-amz-date`, `x-amz-content-sha256`,
 * `x-amz-security-token` (with a session token) and `authorization`.
 */
export function signRequest(input: SignInput): { [name: string]: string } {
  const time = amzDate(input.date);
  const day = time.slice(0, 8);
  const headers: { [name: string]: string } = {
    ...input.headers,
    host: input.host,
    'x-amz-date': time,
    'x-amz-content-sha256': input.payloadHash,
    ...(input.credentials.sessionToken ? { 'x-amz-security-token': input.credentials.sessionToken } : {}),
  };
  const names = Object.keys(headers)
    .map((n) => n.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([n, v]) => [n.toLowerCase(), v]));
  const canonicalHeaders = names
    .map((n) => `${n}:${String(lower[n]).trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const signedHeaders = names.join(';');
  const request = [
    input.method,
    input.path,
    canonicalQuery(input.query),
    canonicalHeaders,
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/s3/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', time, scope, hex(request)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), input.region), 's3'),
    'aws4_request',
  );
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}
