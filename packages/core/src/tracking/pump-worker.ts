/**
 * The pump thread: replays the journal to MLflow from its own event loop. Training stages run
 * synchronous native ops on the main thread for seconds at a time; on that thread, sockets and
 * request timers would wait for them (a stale keep-alive connection, an expired timeout) and a
 * healthy server would look unreachable.
 */
import { parentPort } from 'node:worker_threads';
import { Journal } from './journal.ts';
import { JournalPump } from './journal-pump.ts';
import { MlflowClient } from './mlflow-client.ts';
import type { FromPump, ToPump } from './pump-protocol.ts';

const port = parentPort;
if (!port) throw new Error('pump-worker.ts runs only as a worker thread');
const post = (message: FromPump) => port.postMessage(message);
const warn = (message: string) => post({ type: 'warn', message });
let pump: JournalPump | undefined;

port.on('message', (message: ToPump) => {
  switch (message.type) {
    case 'open': {
      const client = new MlflowClient(message.trackingUri, { warn, timeoutMs: message.timeoutMs });
      const journal = new Journal(message.journalDir, message.localRunId);
      pump = new JournalPump(client, journal, { retryAfterMs: message.retryAfterMs, warn });
      pump.drain();
      return;
    }
    case 'drain':
      pump?.drain();
      return;
    case 'close':
      void (pump?.close() ?? Promise.resolve()).then(
        () => post({ type: 'closed' }),
        (error: Error) => {
          warn(`MLflow tracking stopped: ${error.message}`);
          post({ type: 'closed' });
        },
      );
      return;
  }
});
