// The S3-compatible server the remote-cache tests run against: SeaweedFS started by
// `bash scripts/s3-local.sh up` (CI does it and sets SERX_REQUIRE_S3=1, so a missing server fails
// the tests there instead of skipping them).
import { randomBytes } from 'node:crypto';
import { RemoteStore } from '../../src/cache/remote/remote-store.ts';

export const S3 = {
  endpoint: process.env.SERX_TEST_S3_ENDPOINT ?? 'http://127.0.0.1:18333',
  bucket: process.env.SERX_TEST_S3_BUCKET ?? 'serx-test',
  accessKeyId: process.env.SERX_TEST_S3_ACCESS_KEY ?? 'serx-local',
  secretAccessKey: process.env.SERX_TEST_S3_SECRET_KEY ?? 'serx-local-secret',
};

const used: string[] = [];

/** A fresh prefix per test, so tests share the bucket without seeing each other. */
export function freshPrefix(what: string): string {
  const prefix = `t-${what}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}/`;
  used.push(prefix);
  return prefix;
}

/** Deletes every object under the prefixes this process handed out (the store keeps no test data). */
export async function removeTestObjects(): Promise<void> {
  for (const prefix of used.splice(0)) {
    const store = storeAt(prefix);
    const names: string[] = [];
    for await (const o of store.client.list(prefix)) names.push(o.key);
    await Promise.all(names.map((n) => store.limit(() => store.client.delete(n))));
  }
}

export function storeAt(prefix: string, transfers?: number): RemoteStore {
  return new RemoteStore(
    {
      target: {
        endpoint: new URL(S3.endpoint),
        bucket: S3.bucket,
        region: 'us-east-1',
        pathStyle: true,
        credentials: { accessKeyId: S3.accessKeyId, secretAccessKey: S3.secretAccessKey },
      },
      prefix,
      url: `s3://${S3.bucket}/${prefix}`,
    },
    transfers,
  );
}

/** What a `serx` process needs to reach the remote at `prefix` (the usual AWS variables). */
export function remoteEnv(prefix: string): NodeJS.ProcessEnv {
  return {
    SERX_REMOTE: `s3://${S3.bucket}/${prefix}`,
    AWS_ENDPOINT_URL: S3.endpoint,
    AWS_ACCESS_KEY_ID: S3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: S3.secretAccessKey,
    AWS_REGION: 'us-east-1',
  };
}

/** Whether the server answers a listing of the bucket. */
export async function s3Up(): Promise<boolean> {
  try {
    for await (const _ of storeAt('probe/').client.list('probe/')) break;
    return true;
  } catch (error) {
    if (process.env.SERX_REQUIRE_S3 === '1')
      throw new Error(
        `SERX_REQUIRE_S3=1 but no S3 server answers at ${S3.endpoint} (${(error as Error).message}): run bash scripts/s3-local.sh up`,
      );
    return false;
  }
}
