import { parentPort } from 'node:worker_threads';
import { type ExtractTask, type ProbeTask, runTask } from './extract.ts';

parentPort!.on('message', async (task: ProbeTask | ExtractTask) => {
  const result = await runTask(task as ExtractTask);
  parentPort!.postMessage(result, result.ok && 'data' in result ? [result.data.buffer as ArrayBuffer] : []);
});
