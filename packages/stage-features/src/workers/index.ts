import type { ExtractResult, ExtractTask, ProbeResult, ProbeTask } from './extract.ts';
import { WorkerPool } from './pool.ts';

export {
  type ExtractResult,
  type ExtractTask,
  type ProbeResult,
  type ProbeTask,
  runTask,
  type TaskFailure,
} from './extract.ts';
export { WorkerPool } from './pool.ts';

/** A pool of `threads` workers that decode audio and compute MFCCs. */
export function extractionPool(threads: number, signal?: AbortSignal) {
  const pool = new WorkerPool<ProbeTask | ExtractTask, ProbeResult | ExtractResult>(
    new URL('./extract-worker.ts', import.meta.url),
    threads,
    signal,
  );
  return {
    probe: (task: Omit<ProbeTask, 'kind'>) => pool.run({ kind: 'probe', ...task }) as Promise<ProbeResult>,
    extract: (task: Omit<ExtractTask, 'kind'>) =>
      pool.run({ kind: 'extract', ...task }) as Promise<ExtractResult>,
    close: () => pool.close(),
    size: pool.size,
  };
}
