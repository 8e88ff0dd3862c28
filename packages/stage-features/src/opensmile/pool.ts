import { WorkerPool } from '../workers/pool.ts';
import type { OpensmileResult, OpensmileTask } from './task.ts';

/** A pool of `threads` workers that decode audio and run openSMILE (the feature worker pool's other entry). */
export function opensmilePool(threads: number, signal?: AbortSignal) {
  return new WorkerPool<OpensmileTask, OpensmileResult>(
    new URL('../workers/opensmile-worker.ts', import.meta.url),
    threads,
    signal,
  );
}
