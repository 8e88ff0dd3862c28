import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ErrorCodes, SerxError } from '@serx/core';

/** The shared Keras venv (tensorflow-cpu from ~/.cache/serx/wheels, created by the autoencoder bench or by hand). */
const PYTHON = join(homedir(), '.cache', 'serx', 'keras-venv', 'bin', 'python');

export interface Timing {
  wall: number;
  cpu: number;
}

export interface KerasWorker {
  info: { params: number; tensorflow: string; keras: string };
  /** Runs `steps` training steps in the Keras process; resolves with their wall and process CPU time in seconds. */
  time(steps: number): Promise<Timing>;
  close(): void;
}

/** Starts a Python script speaking the ser_keras.py protocol (ready line, then one timing per request). */
export async function startKerasWorker(script: string, config: object): Promise<KerasWorker> {
  if (!existsSync(PYTHON) || spawnSync(PYTHON, ['-c', 'import tensorflow, keras']).status !== 0) {
    throw new SerxError(
      ErrorCodes.ENVIRONMENT,
      `no Keras venv at ${PYTHON}; create it: python3 -m venv ~/.cache/serx/keras-venv && ~/.cache/serx/keras-venv/bin/pip install ~/.cache/serx/wheels/tensorflow_cpu-*.whl`,
    );
  }
  const child = spawn(PYTHON, [script, JSON.stringify(config)], { stdio: ['pipe', 'pipe', 'inherit'] });
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
      const reply = await next();
      return { wall: reply.seconds as number, cpu: reply.cpuSeconds as number };
    },
    close: () => child.stdin.end(),
  };
}
