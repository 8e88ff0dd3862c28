import { join } from 'node:path';
import type { ResolvedSpec } from '../graph/types.ts';
import { MlflowTracker } from './mlflow-tracker.ts';
import type { Tracker } from './types.ts';

/** The tracking URI: the spec's `tracking.mlflow.uri`, else $MLFLOW_TRACKING_URI. */
export function trackingUriOf(env: NodeJS.ProcessEnv, spec?: ResolvedSpec): string | undefined {
  const mlflow = spec?.tracking?.mlflow;
  if (mlflow?.enabled === false) return undefined;
  return mlflow?.uri ?? (env.MLFLOW_TRACKING_URI || undefined);
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
  if (!uri || !/^https?:\/\//.test(uri)) return [];
  return [
    new MlflowTracker({
      trackingUri: uri,
      journalDir: journalDirIn(cacheDir),
      ...(warn ? { warn } : {}),
    }),
  ];
}
