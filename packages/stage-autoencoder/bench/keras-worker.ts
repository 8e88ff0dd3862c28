import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { kerasPython } from './keras-venv.ts';

export interface KerasWorker {
  info: { params: number; tensorflow: string; keras: string };
  /** Runs `steps` training steps in the Keras process; resolves with their wall and CPU seconds. */
  time(steps: number): Promise<{ seconds: number; cpuSeconds: number }>;
  close(): void;
}

/** Starts a Python script speaking the ae_keras.py protocol (ready line, then one timing per request). */
export async function startKerasWorker(script: string, config: object): Promise<KerasWorker> {
  const child = spawn(kerasPython(), [script, JSON.stringify(config)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${script} exited early (code ${child.exitCode})`);
    return JSON.parse(value) as Record<string, unknown>;
  };
  const info = (await next()) as unknown as KerasWorker['info'];
  return {
    info,
    async time(steps) {
      child.stdin.write(`${steps}\n`);
      const { seconds, cpuSeconds } = await next();
      return { seconds: seconds as number, cpuSeconds: cpuSeconds as number };
    },
    close: () => child.stdin.end(),
  };
}
