import { parentPort } from 'node:worker_threads';
import { type OpensmileTask, runOpensmileTask } from '../opensmile/task.ts';

parentPort!.on('message', async (task: OpensmileTask) => {
  const result = await runOpensmileTask(task);
  parentPort!.postMessage(result, result.ok ? [result.data.buffer as ArrayBuffer] : []);
});
