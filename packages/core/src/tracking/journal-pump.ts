/**
 * Replays a journal to MLflow in the background, one drain at a time so that events appended
 * meanwhile coalesce into the next drain. A failed request pauses the pump (the events stay
 * journaled) and the next drain after `retryAfterMs` tries again.
 */
import type { Journal } from './journal.ts';
import type { MlflowClient } from './mlflow-client.ts';
import { replayJournal } from './replay.ts';

export interface JournalPumpOptions {
  /** After a failed request, how long to keep journaling before trying the server again. */
  retryAfterMs: number;
  warn: (message: string) => void;
}

export class JournalPump {
  private pump: Promise<void> = Promise.resolve();
  /** While set, the server failed and events only go to the journal until this time. */
  private pausedUntil: number | undefined;
  private draining = false;

  constructor(
    private readonly client: MlflowClient,
    private readonly journal: Journal,
    private readonly options: JournalPumpOptions,
  ) {}

  drain(): void {
    if (this.draining || (this.pausedUntil !== undefined && Date.now() < this.pausedUntil)) return;
    this.draining = true;
    this.pump = this.pump.then(async () => {
      this.draining = false;
      const result = await replayJournal(this.client, this.journal);
      if (!result.error) {
        if (this.pausedUntil !== undefined)
          this.options.warn(`MLflow tracking resumed at ${this.client.baseUrl}`);
        this.pausedUntil = undefined;
        return;
      }
      if (this.pausedUntil === undefined) {
        this.options.warn(
          `MLflow tracking paused: ${result.error.message}. The run goes on; events are journaled and retried.`,
        );
      }
      this.pausedUntil = Date.now() + this.options.retryAfterMs;
    });
  }

  /** Drains what is pending, trying once more even while paused, and resolves when done. */
  async close(): Promise<void> {
    // One last try: a transient failure must not leave the whole run for `serx sync`.
    if (this.pausedUntil !== undefined) this.pausedUntil = 0;
    this.drain();
    await this.pump;
  }
}
