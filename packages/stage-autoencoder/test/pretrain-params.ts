import type { Json } from '@serx/core';

/** Tiny but real pretraining params shared by the stage test and its child process. */
export const stageParams: { [key: string]: Json } = {
  structureParams: { conv: [{ filters: 2, kernelSize: [3, 3], strides: [2, 2] }], units: 6 },
  learningRate: 0.01,
  batchSize: 4,
  epochs: 3,
  patience: 5,
  validationFraction: 0.25,
  minFrames: 20,
  maxFrames: 40,
  samples: 2,
};
