/**
 * Where the remote cache is: `remote:` of the nearest `serx.config.yaml` (or `$SERX_REMOTE`, which
 * wins for the URL), credentials and defaults from the usual AWS environment variables.
 *
 * ```yaml
 * remote: s3://bucket/prefix          # short form
 * remote:                             # long form
 *   url: s3://bucket/prefix
 *   endpoint: http://127.0.0.1:8333   # else $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, AWS itself
 *   region: us-east-1                 # else $AWS_REGION, $AWS_DEFAULT_REGION, us-east-1
 *   pathStyle: true                   # default: true with an endpoint, false on AWS
 *   jobs: true                        # cluster jobs pull their inputs and push their output
 *   jobCache: /scratch/serx-cache     # ... into this node-local cache (default: the run's --cache)
 * ```
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { SerxError } from '../../errors.ts';
import { schemaValidator } from '../../plugins/validators.ts';
import { yaml } from '../../spec/yaml-tree.ts';
import type { S3Target } from './s3-http.ts';

export interface RemoteSettings {
  target: S3Target;
  /** Object-key prefix of the cache inside the bucket: '' or ending in '/'. */
  prefix: string;
  /** `s3://bucket/prefix`, for messages. */
  url: string;
  /** Where the settings came from. */
  from: string;
  /** Cluster jobs (`serx exec-node`) pull their inputs and push their output. */
  jobs: boolean;
  /** The cache directory a job uses on its node (default: the one it is given). */
  jobCache?: string;
}

export const REMOTE_SCHEMA = {
  anyOf: [
    { type: 'string', pattern: '^s3://' },
    {
      type: 'object',
      additionalProperties: false,
      required: ['url'],
      properties: {
        url: { type: 'string', pattern: '^s3://', description: 's3://bucket/prefix' },
        endpoint: { type: 'string', pattern: '^https?://', description: 'the S3 endpoint URL' },
        region: { type: 'string', minLength: 1 },
        pathStyle: { type: 'boolean' },
        jobs: { type: 'boolean', description: 'cluster jobs pull their inputs and push their output' },
        jobCache: { type: 'string', minLength: 1, description: 'the cache directory of a job on its node' },
      },
    },
  ],
} as const;

interface RemoteBlock {
  url: string;
  endpoint?: string;
  region?: string;
  pathStyle?: boolean;
  jobs?: boolean;
  jobCache?: string;
}

const checkRemote = schemaValidator(REMOTE_SCHEMA as never, 'plain');

/** The nearest `serx.config.yaml` from `cwd` upwards, if any. */
function findConfig(cwd: string): string | undefined {
  for (let dir = cwd; ; dir = dirname(dir)) {
    const file = join(dir, 'serx.config.yaml');
    if (existsSync(file)) return file;
    if (dirname(dir) === dir) return undefined;
  }
}

function readBlock(file: string): RemoteBlock | undefined {
  let doc: unknown;
  try {
    doc = yaml().parse(readFileSync(file, 'utf8')); // loaded only when there is a config file
  } catch (error) {
    throw new SerxError('SPEC_YAML', `${file}: ${(error as Error).message}`, { cause: error });
  }
  const remote = (doc as { remote?: unknown } | null)?.remote;
  if (remote === undefined || remote === null) return undefined;
  if (!checkRemote(remote)) {
    const bad = typeof remote === 'string' ? 'must be s3://bucket/prefix' : describe(remote);
    throw new SerxError('SPEC_INVALID', `${file}: remote: ${bad}`, { specPath: 'remote' });
  }
  return typeof remote === 'string' ? { url: remote } : (remote as RemoteBlock);
}

function describe(remote: unknown): string {
  const errors = (checkRemote.errors ?? []).filter((e) => e.instancePath !== '');
  const first = errors[0];
  if (!first)
    return `must be s3://bucket/prefix or { url, endpoint, region, pathStyle, jobs, jobCache } (got ${JSON.stringify(remote)})`;
  return `${first.instancePath.slice(1).replace(/\//g, '.')} ${first.message}`;
}

/** `s3://bucket/a/b` → bucket and the prefix `a/b/`. */
function parseUrl(url: string, from: string): { bucket: string; prefix: string } {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(url);
  const prefix = (match?.[2] ?? '').replace(/^\/+|\/+$/g, '');
  if (!match || prefix.split('/').some((part) => part === '.' || part === '..'))
    throw new SerxError(
      'USAGE',
      `${from}: '${url}' is not an S3 location: write s3://<bucket>/<prefix> (bucket: 3-63 lower-case letters, digits, dots, hyphens)`,
    );
  return { bucket: match[1] as string, prefix: prefix ? `${prefix}/` : '' };
}

/**
 * Whether cluster jobs use the remote cache (`remote.jobs`), read without needing credentials: a
 * `serx run` that neither pulls nor pushes looks only at this.
 */
export function remoteJobs(io: { cwd: string; env: NodeJS.ProcessEnv }): boolean {
  const file = findConfig(io.cwd);
  return (file ? readBlock(file) : undefined)?.jobs === true;
}

/**
 * The remote cache's settings, or undefined when none is configured. A configured remote without
 * credentials is a `REMOTE` error naming the variables to set.
 */
export function remoteSettings(io: { cwd: string; env: NodeJS.ProcessEnv }): RemoteSettings | undefined {
  const file = findConfig(io.cwd);
  const block = file ? readBlock(file) : undefined;
  const url = io.env.SERX_REMOTE || block?.url;
  if (!url) return undefined;
  const from = io.env.SERX_REMOTE ? '$SERX_REMOTE' : `${file} remote`;
  const { bucket, prefix } = parseUrl(url, from);
  const env = io.env;
  const endpoint = block?.endpoint ?? (env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined);
  const region = block?.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey)
    throw new SerxError(
      'REMOTE',
      `remote cache ${url} (${from}): no credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones)`,
    );
  let endpointUrl: URL;
  try {
    endpointUrl = new URL(endpoint ?? `https://s3.${region}.amazonaws.com`);
  } catch {
    throw new SerxError('USAGE', `${from}: endpoint '${endpoint}' is not a URL`);
  }
  return {
    target: {
      endpoint: endpointUrl,
      bucket,
      region,
      pathStyle: block?.pathStyle ?? endpoint !== undefined,
      credentials: {
        accessKeyId,
        secretAccessKey,
        ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      },
    },
    prefix,
    url: `s3://${bucket}/${prefix}`,
    from,
    jobs: block?.jobs ?? false,
    ...(block?.jobCache && file ? { jobCache: resolve(dirname(file), block.jobCache) } : {}),
  };
}
