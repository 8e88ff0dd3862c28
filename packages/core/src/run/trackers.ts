import type { Tracker } from '../tracking/types.ts';

/**
 * One tracker that forwards to many. A tracker that throws is reported once through `warn` and
 * the run goes on: tracking must never break a run.
 */
export function fanOutTrackers(trackers: readonly Tracker[], warn: (message: string) => void): Tracker {
  const call = <K extends keyof Tracker>(method: K, ...args: Parameters<Tracker[K]>) => {
    for (const tracker of trackers) {
      try {
        (tracker[method] as (...a: Parameters<Tracker[K]>) => unknown)(...args);
      } catch (error) {
        warn(`tracker ${tracker.constructor.name}.${method} failed: ${(error as Error).message}`);
      }
    }
  };
  return {
    runStarted: (...a) => call('runStarted', ...a),
    stageStarted: (...a) => call('stageStarted', ...a),
    metric: (...a) => call('metric', ...a),
    tag: (...a) => call('tag', ...a),
    artifact: (...a) => call('artifact', ...a),
    stageFinished: (...a) => call('stageFinished', ...a),
    runFinished: (...a) => call('runFinished', ...a),
    async close() {
      const results = await Promise.allSettled(trackers.map((t) => t.close()));
      for (const r of results)
        if (r.status === 'rejected') warn(`tracker close failed: ${(r.reason as Error).message}`);
    },
  };
}
