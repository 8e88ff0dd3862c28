/** Runs analysis:evaluate on the synthetic fixtures: scratch and frozen × seeds 1..3. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Artifact } from '@serx/core';
import type { EvaluationDoc } from '../src/evaluation/types.ts';
import { evaluate } from '../src/stages/evaluate.ts';
import { runStage, tempDir } from './context.ts';
import { FROZEN, SCRATCH, writeMethodPredictions } from './fixtures.ts';

export async function evaluatedFixtures(
  seeds = [1, 2, 3],
): Promise<{ docs: EvaluationDoc[]; evaluations: Artifact[]; predictions: Artifact[] }> {
  const root = await tempDir();
  const docs: EvaluationDoc[] = [];
  const evaluations: Artifact[] = [];
  const predictions: Artifact[] = [];
  for (const spec of [SCRATCH, FROZEN]) {
    for (const seed of seeds) {
      const pred = await writeMethodPredictions(root, spec, seed);
      predictions.push(pred);
      const { outputs } = await runStage(evaluate, {
        params: { splits: ['test'] },
        inputs: { predictions: [pred] },
        heldOut: ['tess'],
      });
      const dir = outputs.evaluation!;
      docs.push(JSON.parse(await readFile(join(dir, 'evaluation.json'), 'utf8')));
      evaluations.push({
        path: dir,
        type: 'evaluation',
        hash: `h${seed}`,
        producer: `eval_${spec.method}[seed=${seed}]`,
        meta: {},
        corpora: [],
      });
    }
  }
  return { docs, evaluations, predictions };
}
