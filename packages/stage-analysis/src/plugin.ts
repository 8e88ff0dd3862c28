import { definePlugin } from '@serx/core/stage';
import pkg from '../package.json' with { type: 'json' };
import { reportCommand } from './cli/report-command.ts';
import { evaluate } from './stages/evaluate.ts';
import { report } from './stages/report.ts';
import { tsneStage } from './stages/tsne.ts';

/**
 * The `@serx/stage-analysis` plugin: `analysis:evaluate`, `analysis:tsne`, `analysis:report` and
 * the `serx report <spec>` command.
 */
export const plugin = definePlugin({
  name: '@serx/stage-analysis',
  version: pkg.version,
  stages: [evaluate, tsneStage, report],
  commands: [reportCommand],
  artifactTypes: [
    {
      name: 'predictions',
      description: 'a predictions store: a feature store whose rows hold probs and pred (docs/stages.md)',
      // imported when a command stage's output is checked, not when the plugin loads
      validate: async (dir) => (await import('./io/check-predictions.ts')).predictionsStoreProblem(dir),
    },
  ],
});
