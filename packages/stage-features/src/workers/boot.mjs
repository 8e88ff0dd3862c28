// Worker entry: workers do not inherit the TypeScript loader of the main thread, so register tsx
// here and then load the TypeScript worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
