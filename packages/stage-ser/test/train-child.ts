/**
 * Child process of the SIGKILL resume test: runs `ser:train` with the params, inputs and workDir
 * given as JSON in argv[2], so that the parent can kill it mid-training.
 */
import type { Artifact } from '@serx/core';
import { train } from '../src/stages/train.ts';
import type { TrainParams } from '../src/stages/train-params.ts';
import { testContext } from './helpers.ts';

const args = JSON.parse(process.argv[2] as string) as {
  params: TrainParams;
  data: Artifact[];
  workDir: string;
  out: string;
};
await train.run(
  testContext({
    params: args.params,
    inputs: { data: args.data },
    outputs: { model: args.out },
    workDir: args.workDir,
  }),
);
