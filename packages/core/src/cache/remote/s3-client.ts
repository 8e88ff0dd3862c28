/**
 * A thin typed S3 client: the five object operations the remote cache needs (PUT, GET, HEAD,
 * LIST, DELETE), signed with SigV4, file bodies streamed both ways. Single-request PUT only: an
 * object is at most 5 GiB (S3's limit without multipart upload), far above any cache file serx
 * writes; a larger file is refused with a `REMOTE` error saying so.
 */
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { displayName, readBody, remoteError, retryable, type S3Target, send } from './s3-http.ts';
import { type ListedObject, parseListPage } from './s3-xml.ts';
import { UNSIGNED_PAYLOAD } from './sigv4.ts';

export type { S3Target } from './s3-http.ts';

/** S3's largest single PUT. */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;
const TRIES = 3;

export interface PutOptions {
  /** Hex sha256 of the body: signed, so the store rejects a body that does not match it. */
  sha256?: string;
  /** Create only: answer 'exists' instead of replacing an object already there (`If-None-Match: *`). */
  ifAbsent?: boolean;
  contentType?: string;
}

export class S3Client {
  readonly target: S3Target;

  constructor(target: S3Target) {
    this.target = target;
  }

  name(key: string): string {
    return displayName(this.target, key);
  }

  /** Up to {@link TRIES} tries of an idempotent request on a connection error, a 5xx or a throttle. */
  private async retry<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= TRIES || !retryable(error)) throw error;
        await sleep(200 * 4 ** (attempt - 1));
      }
    }
  }

  /** Size and ETag of an object; undefined if there is none. */
  head(key: string): Promise<{ size: number; etag: string | undefined } | undefined> {
    return this.retry(async () => {
      const res = await send(this.target, { method: 'HEAD', key, expect: [404] });
      res.stream.resume();
      if (res.status === 404) return undefined;
      return { size: Number(res.headers['content-length'] ?? 0), etag: res.headers.etag };
    });
  }

  /** A small object's bytes (a manifest); undefined if there is none. */
  get(key: string): Promise<Buffer | undefined> {
    return this.retry(async () => {
      const res = await send(this.target, { method: 'GET', key, expect: [404] });
      if (res.status === 404) {
        res.stream.resume();
        return undefined;
      }
      return readBody(res.stream);
    });
  }

  /** An object's body as a stream, with its size; undefined if there is none. */
  getStream(key: string): Promise<{ stream: Readable; size: number } | undefined> {
    return this.retry(async () => {
      const res = await send(this.target, { method: 'GET', key, expect: [404] });
      if (res.status === 404) {
        res.stream.resume();
        return undefined;
      }
      return { stream: res.stream, size: Number(res.headers['content-length'] ?? -1) };
    });
  }

  /** Writes an object from a buffer. */
  put(key: string, body: Buffer, options: PutOptions = {}): Promise<'created' | 'exists'> {
    return this.putBody(key, body, body.length, options);
  }

  /**
   * Writes an object from a file, streamed; `check` may wrap the file stream (to hash it on the
   * way and fail the request, leaving no object, when it is not what it should be).
   */
  putFile(
    key: string,
    path: string,
    size: number,
    options: PutOptions & { check?: (stream: Readable) => Readable } = {},
  ): Promise<'created' | 'exists'> {
    const open = () => {
      const file = createReadStream(path);
      if (!options.check) return file;
      const checked = options.check(file);
      // pipe() does not forward a source's error (a file that vanished): the body must fail too
      file.on('error', (error) => checked.destroy(error));
      return checked;
    };
    return this.putBody(key, { size, open }, size, options);
  }

  private putBody(
    key: string,
    body: Buffer | { size: number; open: () => Readable },
    size: number,
    options: PutOptions,
  ): Promise<'created' | 'exists'> {
    if (size > MAX_PUT_BYTES)
      throw remoteError(
        `PUT ${this.name(key)}`,
        `${size} bytes is more than one S3 PUT takes (5 GiB); serx does not do multipart uploads`,
      );
    return this.retry(async () => {
      const res = await send(this.target, {
        method: 'PUT',
        key,
        body,
        payloadHash: options.sha256 ?? (Buffer.isBuffer(body) ? undefined : UNSIGNED_PAYLOAD),
        headers: {
          ...(options.contentType ? { 'content-type': options.contentType } : {}),
          ...(options.ifAbsent ? { 'if-none-match': '*' } : {}),
        },
        expect: options.ifAbsent ? [412] : [],
      });
      res.stream.resume();
      return res.status === 412 ? 'exists' : 'created';
    });
  }

  /** Deletes an object (no error if there is none). */
  delete(key: string): Promise<void> {
    return this.retry(async () => {
      const res = await send(this.target, { method: 'DELETE', key, expect: [404] });
      res.stream.resume();
    });
  }

  /** Every object whose key starts with `prefix`, page by page (ListObjectsV2; the store's page size by default). */
  async *list(prefix: string, pageSize?: number): AsyncGenerator<ListedObject> {
    let token: string | undefined;
    do {
      const query: { [name: string]: string } = { 'list-type': '2', prefix };
      if (pageSize) query['max-keys'] = String(pageSize);
      if (token) query['continuation-token'] = token;
      const page = await this.retry(async () => {
        const res = await send(this.target, { method: 'GET', key: '', query });
        return parseListPage((await readBody(res.stream)).toString('utf8'));
      });
      yield* page.objects;
      token = page.next;
    } while (token);
  }
}
