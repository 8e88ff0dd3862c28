import { type Artifact, type Logger, SerxError } from '@serx/core';
import type { Example } from './batches.ts';
import { classesOf, examplesOf, openInputs, refuseHeldOut } from './select.ts';

export interface TrainingData {
  classes: string[];
  train: { examples: Example[]; unlabelled: number };
  validation: { examples: Example[]; unlabelled: number };
  /** Values per frame. */
  dims: number;
  trainCorpora: string[];
  counts: { train: number; validation: number; unlabelledSkipped: number };
  close(): void;
}

/**
 * The `train` and `validation` rows of the feature stores a training stage fits on, checked: no
 * held-out corpus, both splits present, every class in the training rows.
 */
export async function openTrainingData(
  ctx: { id: string; heldOut: readonly string[]; log: Logger },
  artifacts: readonly Artifact[],
  classesParam: string[] | null,
): Promise<TrainingData> {
  const inputs = await openInputs(artifacts);
  try {
    refuseHeldOut(ctx.id, artifacts, inputs.stores, ctx.heldOut);
    const classes = classesParam ?? classesOf(inputs.stores, ['train']);
    const train = examplesOf(inputs.stores, 'train', classes);
    const validation = examplesOf(inputs.stores, 'validation', classes);
    if (train.examples.length === 0 || validation.examples.length === 0) {
      throw new SerxError(
        'INPUT_DATA',
        `${ctx.id}: needs split=train and split=validation rows; got ${train.examples.length} and ${validation.examples.length}`,
      );
    }
    const labels = train.examples.map((e) => e.label);
    const empty = classes.filter((_, k) => !labels.includes(k));
    if (empty.length > 0)
      throw new SerxError('INPUT_DATA', `${ctx.id}: no training rows of class(es) ${empty.join(', ')}`);
    ctx.log.info(
      `${train.examples.length} training / ${validation.examples.length} validation utterances, classes [${classes.join(', ')}]`,
    );
    return {
      classes,
      train,
      validation,
      dims: inputs.dims,
      trainCorpora: [...new Set(train.examples.map((e) => e.row.corpus))].sort(),
      counts: {
        train: train.examples.length,
        validation: validation.examples.length,
        unlabelledSkipped: train.unlabelled + validation.unlabelled,
      },
      close: inputs.close,
    };
  } catch (error) {
    inputs.close();
    throw error;
  }
}
