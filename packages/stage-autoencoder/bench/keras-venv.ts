import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import { referencePython } from '../../../bench/python-venv.ts';

/**
 * The Python that runs the Keras side of the benchmarks: a venv holding tensorflow-cpu from the
 * same wheel libtensorflow came from (~/.cache/serx/wheels). Created on first use.
 */
export function kerasPython(): string {
  return referencePython('keras-venv', 'import tensorflow, keras', () => {
    const wheels = join(homedir(), '.cache', 'serx', 'wheels');
    const wheel = existsSync(wheels)
      ? readdirSync(wheels).find((f) => f.startsWith('tensorflow_cpu-') && f.endsWith('.whl'))
      : undefined;
    if (!wheel) {
      throw new SerxError(
        ErrorCodes.ENVIRONMENT,
        `no tensorflow-cpu wheel in ${wheels}; run \`npm run setup\` first`,
      );
    }
    return [join(wheels, wheel)];
  });
}
