import { parentPort } from 'node:worker_threads';
import { SerxError } from '../errors.ts';
import { hostStage } from './stage-host.ts';
import type { FromHost, ToHost } from './stage-host-protocol.ts';

// One stage per worker thread (see WorkerThreadExecutor): the same host as a stage process, over
// the worker's port. A worker's process.exit() ends only this thread.
const port = parentPort;
if (!port) throw new SerxError('INTERNAL', 'worker-main.ts runs only as a worker thread');

hostStage({
  post: (message: FromHost) => port.postMessage(message),
  onMessage: (listener) => port.on('message', (message: ToHost) => listener(message)),
  holdOpen: (on) => (on ? port.ref() : port.unref()),
  end: (last, code) => {
    port.postMessage(last);
    process.exit(code);
  },
  useTmpDir: (dir) => {
    // a worker's process.env is its own copy: this changes os.tmpdir() for this thread only
    for (const name of ['TMPDIR', 'TMP', 'TEMP']) process.env[name] = dir;
  },
});
