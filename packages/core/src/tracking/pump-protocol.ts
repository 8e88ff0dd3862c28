/** Messages between an `MlflowTracker` and its pump thread (`pump-worker.ts`). */
export type ToPump =
  | {
      type: 'open';
      trackingUri: string;
      journalDir: string;
      localRunId: string;
      retryAfterMs: number;
      timeoutMs: number;
    }
  /** New events were journaled. */
  | { type: 'drain' }
  /** Drain what is pending (one last try even while paused), answer `closed`. */
  | { type: 'close' };

export type FromPump = { type: 'warn'; message: string } | { type: 'closed' };
