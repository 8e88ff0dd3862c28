// The Keras side of the benchmark speaks the same protocol as the autoencoder bench's (ready line,
// then one timing per request) and uses the same venv: one worker and one venv for both.
import { startKerasWorker as startWorker } from '../../stage-autoencoder/bench/keras-worker.ts';

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

/** Starts `script` (ser_keras.py) in the shared Keras venv, created on first use. */
export async function startKerasWorker(script: string, config: object): Promise<KerasWorker> {
  const worker = await startWorker(script, config);
  return {
    info: worker.info,
    async time(steps) {
      const { seconds, cpuSeconds } = await worker.time(steps);
      return { wall: seconds, cpu: cpuSeconds };
    },
    close: () => worker.close(),
  };
}
