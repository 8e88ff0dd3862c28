import { Worker } from 'node:worker_threads';
import { ErrorCodes, SerxError } from '@serx/core';

interface Job {
  task: unknown;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

/**
 * A fixed-size pool of worker threads running one TypeScript module (`entry`, a file URL) that
 * answers each posted task with one message. Workers start on demand (never more than there are
 * tasks). A worker that crashes fails its task and is replaced; {@link close} (or an abort)
 * terminates every worker.
 */
export class WorkerPool<Task, Result> {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private readonly onAbort = () => void this.close(this.signal?.reason);
  private closed = false;

  constructor(
    private readonly entry: URL,
    readonly size: number,
    private readonly signal?: AbortSignal,
  ) {
    if (signal?.aborted) this.closed = true;
    else signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Runs one task on the next free worker. */
  run(task: Task): Promise<Result> {
    if (this.closed)
      return Promise.reject(
        this.signal?.reason ?? new SerxError(ErrorCodes.INTERNAL, 'worker pool is closed'),
      );
    return new Promise<Result>((resolve, reject) => {
      this.queue.push({ task, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  /** Terminates every worker; queued and running tasks fail with `reason`. */
  async close(reason: unknown = new SerxError(ErrorCodes.INTERNAL, 'worker pool closed')): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    for (const job of this.queue.splice(0)) job.reject(reason);
    for (const slot of this.slots) slot.job?.reject(reason);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(new URL('./boot.mjs', import.meta.url), {
      workerData: { entry: this.entry.href },
    });
    const slot: Slot = { worker, job: undefined };
    worker.on('message', (message: unknown) => {
      const job = slot.job;
      slot.job = undefined;
      job?.resolve(message);
      this.dispatch();
    });
    worker.on('error', (error) => this.replace(slot, error));
    worker.on('exit', (code) => {
      if (!this.closed)
        this.replace(slot, new SerxError(ErrorCodes.STAGE_FAILED, `worker thread exited with code ${code}`));
    });
    return slot;
  }

  private replace(slot: Slot, error: unknown): void {
    if (this.closed) return;
    const index = this.slots.indexOf(slot);
    if (index < 0) return;
    slot.job?.reject(error);
    slot.worker.removeAllListeners();
    void slot.worker.terminate();
    this.slots[index] = this.spawn();
    this.dispatch();
  }

  private dispatch(): void {
    const idle = () => this.slots.filter((slot) => !slot.job).length;
    while (this.slots.length < Math.max(1, this.size) && this.queue.length > idle())
      this.slots.push(this.spawn());
    for (const slot of this.slots) {
      if (slot.job || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.job = job;
      slot.worker.postMessage(job.task);
    }
  }
}
