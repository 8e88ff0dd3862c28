/**
 * A local cache that pulls what it misses from the remote cache (`serx run --pull`, `serx pull
 * <spec>`, cluster jobs without the shared filesystem): every lookup that misses asks the remote,
 * so whatever plans or runs against the cache (planning, the runner, a job's submitter waiting
 * for its output) sees pulled entries as ordinary hits.
 */
import { SerxError } from '../../errors.ts';
import type { Cache } from '../cache.ts';
import { type PullResult, pullEntry } from './pull.ts';
import type { RemoteStore } from './remote-store.ts';

export interface PullStats {
  /** Per key asked, the last answer. */
  results: Map<string, PullResult>;
  pulled: number;
  bytes: number;
}

/**
 * Makes `cache` pull missing entries from `store`. A remote entry that is corrupt, or a remote
 * that fails, is reported through `warn` and counts as a miss (the stage is computed);
 * `strict` makes a failing remote an error instead (a cluster job that cannot get its inputs).
 */
export function pullThrough(
  cache: Cache,
  store: RemoteStore,
  warn: (message: string) => void,
  options: { strict?: boolean } = {},
): PullStats {
  const stats: PullStats = { results: new Map(), pulled: 0, bytes: 0 };
  // variants sharing an entry look it up at once: one pull serves them all
  const inFlight = new Map<string, Promise<boolean>>();
  const fetch = async (key: string): Promise<boolean> => {
    let result: PullResult;
    try {
      result = await pullEntry(cache, store, key);
    } catch (error) {
      if (options.strict || !(error instanceof SerxError && error.code === 'REMOTE')) throw error;
      warn(`${error.message}; ${key.slice(0, 12)} counts as a miss`);
      return false;
    }
    stats.results.set(key, result);
    if (result.status === 'pulled') {
      stats.pulled++;
      stats.bytes += result.bytes;
    }
    if (result.status === 'corrupt')
      warn(`remote entry ${key.slice(0, 12)} is not usable (${result.reason}); counts as a miss`);
    return result.status === 'pulled' || result.status === 'present';
  };
  cache.fetchMissing = (key) => {
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetch(key).finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };
  return stats;
}
