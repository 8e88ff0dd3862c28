// Worker entry: workers do not inherit the TypeScript loader of the main thread, so register it
// here and then load the TypeScript worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { registerTypeScript } from '@serx/core/typescript';

registerTypeScript();
await import(workerData.entry);
