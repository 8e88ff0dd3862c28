/** Everything a report shows, as data (`report.json`): rendered to HTML and Markdown by pure functions. */
import type { ClaimResult } from '../claims/check-claim.ts';
import type { MeanInterval } from '../stats/t-interval.ts';
import type { Comparison } from './comparison.ts';
import type { Table2 } from './table2.ts';

export const REPORT_FORMAT = 'serx-report/1';

export interface ReportFigure {
  /** File stem and HTML id suffix (`fig-<name>`). */
  name: string;
  title: string;
  caption: string;
  svg: string;
  /** Relative path of the PNG next to the report. */
  png: string;
}

export interface DataCount {
  corpus: string;
  split: string;
  class: string;
  count: number;
}

export interface StageTiming {
  id: string;
  stage: string;
  /** Status in the run that made this report (`cached` = cache hit). */
  status: string;
  /** Wall time of the execution that computed the stage (from the run records), if known. */
  computeMs?: number;
  key?: string;
}

export interface ReportModel {
  format: typeof REPORT_FORMAT;
  title: string;
  data: { source: string; counts: DataCount[] };
  table2: Table2;
  comparisons: Comparison[];
  claims: ClaimResult[];
  strict: boolean;
  tsne: {
    model: string;
    label: string;
    n: number;
    silhouette: { tsne: { class: number; corpus: number }; hidden: { class: number; corpus: number } };
  }[];
  /** Silhouettes per method over its embedded runs (seeds): mean with t interval. */
  silhouetteSummary: {
    method: string;
    label: string;
    n: number;
    tsneClass: MeanInterval;
    tsneCorpus: MeanInterval;
    hiddenClass: MeanInterval;
    hiddenCorpus: MeanInterval;
  }[];
  figures: ReportFigure[];
  /** Added by `serx report` (the stage itself cannot see the spec or the run). */
  /** `overrides`: the command-line `--set` / `--matrix` the report was made with, as typed. */
  spec?: { file: string; text: string; overrides?: string[] };
  run?: { runId: string; status: string; durationMs: number; stages: StageTiming[] };
  notes: string[];
}
