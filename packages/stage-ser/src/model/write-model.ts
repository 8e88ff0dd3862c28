import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MetricsSink, StageResult } from '@serx/core';
import { saveModel } from '@serx/stage-autoencoder';
import type { Tf } from '@serx/tf-backend';
import { HISTORY_FILE, type History, historyJson } from '@serx/training';
import type * as tfjs from '@tensorflow/tfjs';
import { CONFIG_FILE, type ModelConfig } from './config.ts';

/**
 * Writes a `model` artifact (see `config.ts`) into `ctx.outputs.model` and returns the stage result
 * both training stages give: the model's meta and the selected epoch's validation scores.
 */
export async function writeModelArtifact(
  ctx: { outputs: { readonly [name: string]: string }; metrics: MetricsSink },
  tf: Tf,
  model: tfjs.LayersModel,
  config: ModelConfig,
  history: History,
): Promise<StageResult> {
  const dir = ctx.outputs.model as string;
  await saveModel(tf, model, dir);
  await writeFile(join(dir, CONFIG_FILE), `${JSON.stringify(config, null, 2)}\n`);
  await writeFile(join(dir, HISTORY_FILE), historyJson(history));
  ctx.metrics.artifact(join(dir, CONFIG_FILE));
  ctx.metrics.artifact(join(dir, HISTORY_FILE));
  const best = history.epochs[history.bestEpoch - 1];
  const score = (key: string) => (typeof best?.[key] === 'number' ? (best[key] as number) : Number.NaN);
  return {
    meta: {
      model: {
        classes: config.classes,
        strategy: config.strategy,
        structure: config.structure.name,
        embeddingDims: config.hiddenUnits,
        bestEpoch: history.bestEpoch,
      },
    },
    metrics: {
      best_val_ua: score('val_ua'),
      best_val_ua_corpus_mean: score('val_ua_corpus_mean'),
      best_epoch: history.bestEpoch,
      epochs_run: history.epochs.length,
    },
  };
}
