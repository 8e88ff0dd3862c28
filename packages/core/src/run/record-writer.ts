import type { Cache } from '../cache/cache.ts';
import { type RunRecord, writeRunRecord } from './record.ts';

export interface RecordWriter {
  /**
   * Writes the record now (after any write in flight); concurrent requests coalesce. Resolves with
   * the record's path, or undefined when the cache is read-only (no record is written).
   */
  save(): Promise<string | undefined>;
  /**
   * Writes within a second. Mid-run saves keep the keys of started stages on disk (for gc after
   * a crash); a record of thousands of stages is megabytes, so they are rate-limited.
   */
  saveSoon(): void;
  /** Cancels a pending `saveSoon` and waits for the write in flight. */
  settle(): Promise<void>;
}

export function recordWriter(cache: Cache, record: RunRecord, warn: (message: string) => void): RecordWriter {
  let writes: Promise<string | undefined> = Promise.resolve(undefined);
  let queued = false;
  let lastSave = 0;
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    if (cache.readOnly) return Promise.resolve(undefined);
    if (queued) return writes;
    queued = true;
    writes = writes
      .catch(() => undefined)
      .then(() => {
        queued = false;
        lastSave = Date.now();
        return writeRunRecord(cache, record);
      });
    writes.catch((error: Error) => warn(`cannot write the run record: ${error.message}`));
    return writes;
  };
  return {
    save,
    saveSoon() {
      if (timer) return;
      timer = setTimeout(
        () => {
          timer = undefined;
          void save();
        },
        Math.max(0, lastSave + 1000 - Date.now()),
      );
      timer.unref();
    },
    async settle() {
      clearTimeout(timer);
      timer = undefined;
      await writes.catch(() => undefined);
    },
  };
}
