import { Worker } from 'node:worker_threads';
import type { FromPump, ToPump } from './pump-protocol.ts';

const ENTRY = new URL('./pump-entry.mjs', import.meta.url);

/**
 * The main thread's handle on a pump thread. Posting is synchronous and reaches the thread even
 * while this thread is blocked, so events logged just before a long synchronous op go out at once.
 */
export class PumpThread {
  private readonly worker: Worker;
  private closed: Promise<void> | undefined;
  private onClosed: (() => void) | undefined;
  private dead = false;

  constructor(open: Extract<ToPump, { type: 'open' }>, warn: (message: string) => void) {
    this.worker = new Worker(ENTRY);
    // A run that forgets to close must still be able to exit; the journal keeps what is pending.
    this.worker.unref();
    this.worker.on('message', (message: FromPump) => {
      if (message.type === 'warn') warn(message.message);
      else this.onClosed?.();
    });
    const stop = () => {
      this.dead = true;
      this.onClosed?.();
    };
    this.worker.on('error', (error) => {
      warn(`MLflow tracking thread failed: ${error.message}; events stay journaled for \`serx sync\``);
      stop();
    });
    this.worker.on('exit', stop);
    this.post(open);
  }

  drain(): void {
    if (!this.dead) this.post({ type: 'drain' });
  }

  /** Resolves when the thread drained what it could, then ends it. */
  close(): Promise<void> {
    this.closed ??= new Promise<void>((resolve) => {
      if (this.dead) return resolve();
      this.onClosed = resolve;
      this.worker.ref();
      this.post({ type: 'close' });
    }).then(() => this.worker.terminate().then(() => {}));
    return this.closed;
  }

  private post(message: ToPump): void {
    this.worker.postMessage(message);
  }
}
