import { SerxError } from '@serx/core';
import { type FeatureRow, type FeatureStore, FeatureStoreWriter } from '@serx/stage-features';
import { linearFitter } from '../baseline/linear-models.ts';
import { fitStandardiser, standardise } from '../baseline/logistic-regression.ts';
import { argMax, type Labelled, selectC } from '../baseline/select-c.ts';
import { utteranceVectors } from '../baseline/utterance-vectors.ts';
import type { Example } from '../data/batches.ts';
import { classesOf, examplesOf, openInputs, refuseHeldOut } from '../data/select.ts';
import { resolveClassWeights } from '../training/class-weights.ts';
import type { BaselineContext } from './baseline.ts';
import { selectRows } from './predict-run.ts';

/** `baseline`'s run (the definition is in baseline.ts). */
export async function runBaseline(ctx: BaselineContext) {
  const p = ctx.params;
  const dataArtifacts = ctx.inputs.data;
  const data = await openInputs(dataArtifacts);
  const targets = await openInputs(ctx.inputs.features);
  try {
    refuseHeldOut(ctx.id, dataArtifacts, data.stores, ctx.heldOut);
    const classes = p.classes ?? classesOf(data.stores, ['train']);
    const train = examplesOf(data.stores, 'train', classes).examples;
    const validation = examplesOf(data.stores, 'validation', classes).examples;
    if (train.length === 0 || validation.length === 0)
      throw new SerxError(
        'INPUT_DATA',
        `${ctx.id}: needs split=train and split=validation rows; got ${train.length} and ${validation.length}`,
      );
    if (targets.dims !== data.dims)
      throw new SerxError(
        'INPUT_DATA',
        `${ctx.id}: 'features' have ${targets.dims} values per frame, 'data' ${data.dims}`,
      );
    const vectors = utteranceVectors(ctx.id, [...data.stores, ...targets.stores], p.functionals);
    const selected = targets.stores.map((store) => selectRows(store, p.splits));
    const predictCount = selected.reduce((n, s) => n + s.rows.length, 0);
    const linear = p.model !== 'majority';
    ctx.progress.total(
      (linear ? train.length + validation.length + p.cGrid.length : 0) + predictCount,
      p.model,
    );
    const labels = train.map((e) => e.label);
    const trainCorpora = [...new Set(train.map((e) => e.row.corpus))].sort();

    let score: (store: FeatureStore, row: FeatureRow) => { probs: Float64Array; embedding: Float32Array };
    let summary: { [key: string]: number | string | { C: number; score: number }[] };
    if (p.model === 'majority') {
      const priors = new Float64Array(classes.length);
      for (const y of labels) priors[y] = (priors[y] as number) + 1 / labels.length;
      score = () => ({ probs: priors, embedding: Float32Array.from(priors) });
      summary = { majority: classes[argMax(priors)] as string };
    } else {
      const featurise = (examples: Example[]) =>
        examples.map((e) => {
          ctx.progress.tick();
          if (ctx.signal.aborted) throw ctx.signal.reason;
          return { x: vectors.of(e.store, e.row), label: e.label, corpus: e.row.corpus };
        });
      const rawTrain = featurise(train);
      const rawValidation = featurise(validation);
      const scaler = fitStandardiser(rawTrain.map((e) => e.x));
      const scaled = (es: Labelled[]) => es.map((e) => ({ ...e, x: standardise(scaler, e.x) }));
      const weights = resolveClassWeights(p.classWeights, labels, classes);
      const chosen = selectC(
        scaled(rawValidation),
        classes.length,
        { grid: p.cGrid, selection: p.selection },
        linearFitter(p.model, scaled(rawTrain), classes.length, weights),
        (C, s) => {
          ctx.log.info(`C=${C}: validation ${p.selection} ${s.toFixed(4)}`);
          ctx.progress.tick();
        },
      );
      for (const [i, s] of chosen.scores.entries()) ctx.metrics.metric('val_score', s.score, i);
      const unconverged = chosen.scores.filter((s) => !s.converged).map((s) => s.C);
      if (unconverged.length > 0)
        ctx.log.warn(`L-BFGS stopped at its iteration limit for C = ${unconverged.join(', ')}`);
      score = (store, row) => {
        const x = standardise(scaler, vectors.of(store, row));
        return { probs: chosen.model.scores(x), embedding: Float32Array.from(x) };
      };
      summary = {
        C: chosen.C,
        valScore: chosen.scores.find((s) => s.C === chosen.C)?.score as number,
        grid: chosen.scores.map(({ C, score }) => ({ C, score })),
      };
    }

    const dims = linear ? vectors.dims : classes.length;
    const writer = await FeatureStoreWriter.create(ctx.outputs.predictions as string, {
      dims,
      meta: {
        kind: 'predictions',
        classes,
        strategy: p.model,
        structure: null,
        trainCorpora,
        splits: p.splits,
        embedding: linear
          ? vectors.kind === 'direct'
            ? 'standardised functionals (stored)'
            : 'standardised functionals'
          : 'class priors',
        ...(vectors.inputFeatures ? { inputFeatures: vectors.inputFeatures } : {}),
        ...(p.model === 'linear-svm'
          ? { probs: 'softmax of the one-vs-rest decision values (not calibrated)' }
          : {}),
        baseline: summary,
      },
    });
    const counts: { [corpus: string]: number } = {};
    for (const [i, { rows }] of selected.entries()) {
      const store = targets.stores[i] as FeatureStore;
      for (const row of rows) {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const { probs, embedding } = score(store, row);
        const { frames: _f, shard: _s, offset: _o, ...fields } = row;
        await writer.append(
          { ...fields, probs: Array.from(probs), pred: classes[argMax(probs)] as string },
          embedding,
        );
        counts[row.corpus] = (counts[row.corpus] ?? 0) + 1;
        ctx.progress.tick();
      }
    }
    await writer.close();
    ctx.metrics.tag('strategy', p.model);
    return {
      meta: {
        predictions: {
          classes,
          dims,
          counts,
          strategy: p.model,
          trainCorpora,
          ...(vectors.inputFeatures ? { inputFeatures: vectors.inputFeatures } : {}),
        },
      },
      metrics: (typeof summary.valScore === 'number'
        ? { best_val_score: summary.valScore, C: summary.C as number }
        : {}) as { [name: string]: number },
    };
  } finally {
    data.close();
    targets.close();
  }
}
