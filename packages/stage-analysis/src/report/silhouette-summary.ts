import { parseProducerId } from '../evaluation/producer-id.ts';
import type { TsneDoc } from '../stages/tsne.ts';
import { tInterval } from '../stats/t-interval.ts';
import { methodIdOf } from './method-runs.ts';
import type { ReportModel } from './model.ts';

/** Silhouettes per method (ablation variants apart) over its embedded seeds: mean with a t interval. */
export function summariseSilhouettes(
  embedded: readonly TsneDoc['models'][number][],
  level: number,
): ReportModel['silhouetteSummary'] {
  const idOf = (m: (typeof embedded)[number]) => methodIdOf(m.method, parseProducerId(m.model).variant);
  return [...new Set(embedded.map(idOf))].map((method) => {
    const runs = embedded.filter((m) => idOf(m) === method);
    const ci = (pick: (m: (typeof runs)[number]) => number) =>
      tInterval(runs.map(pick).filter(Number.isFinite), level);
    return {
      method,
      label:
        method === runs[0]!.method
          ? runs[0]!.label
          : `${runs[0]!.label} ${method.slice(runs[0]!.method.length)}`,
      n: runs.length,
      tsneClass: ci((m) => m.silhouette.tsne.class),
      tsneCorpus: ci((m) => m.silhouette.tsne.corpus),
      hiddenClass: ci((m) => m.silhouette.hidden.class),
      hiddenCorpus: ci((m) => m.silhouette.hidden.corpus),
    };
  });
}
