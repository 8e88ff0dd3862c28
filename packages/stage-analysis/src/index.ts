// Public API of @serx/stage-analysis.

export { type ClaimResult, checkClaim, type Verdict, verdictOf } from './claims/check-claim.ts';
export { type Claim, describeClaim, parseClaim } from './claims/claim.ts';
export { reportCommand } from './cli/report-command.ts';
export {
  evaluatePredictions,
  evaluationMetrics,
  type PredictionsInput,
} from './evaluation/evaluate-predictions.ts';
export type { CorpusEvaluation, EvaluationDoc, ModelEvaluation } from './evaluation/types.ts';
export { type RenderedFigure, renderFigure } from './figures/render.ts';
export { plugin, plugin as default } from './plugin.ts';
export type { ReportModel } from './report/model.ts';
export { buildTable2, type Table2 } from './report/table2.ts';
export { renderTable2Csv, renderTable2Markdown } from './report/table2-render.ts';
export { EVALUATION_FILE, type EvaluateParams, evaluate } from './stages/evaluate.ts';
export { report } from './stages/report.ts';
export { TSNE_FILE, type TsneDoc, type TsneParams, tsneStage } from './stages/tsne.ts';
export { type BootstrapResult, hierarchicalBootstrap, type PairedGroup } from './stats/bootstrap.ts';
export {
  type ClassificationMetrics,
  classificationMetrics,
  confusionMatrix,
  unweightedAccuracy,
} from './stats/classification.ts';
export {
  pairedPredictionPermutationTest,
  signFlipTest,
  signTest,
  type TestResult,
} from './stats/permutation.ts';
export { type MeanInterval, tInterval } from './stats/t-interval.ts';
export { silhouette } from './tsne/silhouette.ts';
export { type TsneOptions, type TsneResult, tsne } from './tsne/tsne.ts';
