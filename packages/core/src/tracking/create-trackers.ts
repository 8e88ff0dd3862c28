import { join } from 'node:path';
import { SerxError } from '../errors.ts';
import type { ResolvedSpec } from '../graph/types.ts';
import { MlflowTracker } from './mlflow-tracker.ts';
import type { Tracker } from './types.ts';

/**
 * The tracking URI: the spec's `tracking.mlflow.uri`, else $MLFLOW_TRACKING_URI. serx talks to an
 * MLflow server over HTTP: any other value (a `file:` store, a typo) is refused, naming where it
 * came from, instead of running untracked without a word.
 */
export function trackingUriOf(env: NodeJS.ProcessEnv, spec?: ResolvedSpec): string | undefined {
  const mlflow = spec?.tracking?.mlflow;
  if (mlflow?.enabled === false) return undefined;
  if (mlflow?.uri)
    return checkedTrackingUri(mlflow.uri, `tracking.mlflow.uri of ${spec?.file ?? 'the spec'}`);
  return env.MLFLOW_TRACKING_URI
    ? checkedTrackingUri(env.MLFLOW_TRACKING_URI, 'MLFLOW_TRACKING_URI')
    : undefined;
}

/** `uri` if it is an http(s) URL, else an ENVIRONMENT error naming `source`. */
export function checkedTrackingUri(uri: string, source: string): string {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {}
  if (url && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname) return uri;
  const why = !url
    ? 'is not a URL'
    : url.protocol === 'file:'
      ? 'is a file: store, which serx does not write (it tracks through the MLflow REST API)'
      : `has the scheme ${url.protocol.slice(0, -1)}, which serx does not support`;
  throw new SerxError(
    'ENVIRONMENT',
    `${source}=${JSON.stringify(uri)} ${why}; set it to an MLflow server's http(s) URL (\`npm run mlflow\` starts one on http://127.0.0.1:5000), or unset it to run without tracking (runs are still recorded in the cache)`,
  );
}

/** Where journals live: `<cache dir>/tracking`. */
export function journalDirIn(cacheDir: string): string {
  return join(cacheDir, 'tracking');
}

/** The trackers a `serx run` uses: MLflow when a tracking URI is configured (file: URIs are not servers). */
export function createTrackers(
  spec: ResolvedSpec,
  cacheDir: string,
  env: NodeJS.ProcessEnv,
  warn?: (m: string) => void,
): Tracker[] {
  const uri = trackingUriOf(env, spec);
  if (!uri) return [];
  return [
    new MlflowTracker({
      trackingUri: uri,
      journalDir: journalDirIn(cacheDir),
      ...(warn ? { warn } : {}),
    }),
  ];
}
