/**
 * The paper's comparison (pre-trained encoder vs from scratch) with honest statistics: paired
 * per-seed differences, a t interval over seeds, a two-level bootstrap CI over seeds and
 * utterances, an exact sign-flip permutation test and a sign test over seeds, and an
 * utterance-level paired permutation test.
 */
import type { BootstrapResult, PairedGroup } from '../stats/bootstrap.ts';
import { hierarchicalBootstrap } from '../stats/bootstrap.ts';
import type { MetricName } from '../stats/metric-on-index.ts';
import {
  pairedPredictionPermutationTest,
  signFlipTest,
  signTest,
  type TestResult,
} from '../stats/permutation.ts';
import { type MeanInterval, tInterval } from '../stats/t-interval.ts';
import { corpusOf, type MethodRuns } from './method-runs.ts';

export interface StatsOptions {
  level: number;
  resamples: number;
  seed: number;
}

export interface Comparison {
  a: string;
  b: string;
  corpus: string;
  metric: MetricName;
  /** Matrix variants present for both methods (the seeds the comparison rests on). */
  pairedRuns: string[];
  /** Variants of only one method, left out of the comparison. */
  unpairedRuns: string[];
  /** metric(a) - metric(b) per paired run. */
  diffs: number[];
  seedInterval: MeanInterval;
  bootstrap: BootstrapResult;
  signFlip: TestResult;
  signTest: TestResult;
  utterancePermutation: TestResult;
}

type Run = MethodRuns['runs'][number];

/**
 * The runs of `a` and `b` compared with each other: those of the same replicate (seed). A method
 * with one run and no replicate axis (a deterministic baseline, trained once) is paired with every
 * run of the other: it is the same model whichever seed the other was trained with.
 */
export function runPairs(a: MethodRuns, b: MethodRuns): { key: string; ra: Run; rb: Run }[] {
  const fixed = (m: MethodRuns) => m.runs.length === 1 && m.runs[0]!.key === '';
  if (fixed(b) && !fixed(a)) return a.runs.map((ra) => ({ key: ra.key, ra, rb: b.runs[0]! }));
  if (fixed(a) && !fixed(b)) return b.runs.map((rb) => ({ key: rb.key, ra: a.runs[0]!, rb }));
  return a.runs.flatMap((ra) => {
    const rb = b.runs.find((r) => r.key === ra.key);
    return rb ? [{ key: ra.key, ra, rb }] : [];
  });
}

/** Per-run groups on one corpus; with `b`, utterances are aligned by id and only shared ones kept. */
export function pairedGroups(
  a: MethodRuns,
  b: MethodRuns | null,
  corpus: string,
): { keys: string[]; unpaired: string[]; groups: PairedGroup[] } {
  const keys: string[] = [];
  const unpaired: string[] = [];
  const groups: PairedGroup[] = [];
  if (!b) {
    for (const run of a.runs) {
      const ca = corpusOf(run.model, corpus);
      if (!ca) continue;
      keys.push(run.key);
      groups.push({ truth: ca.utterances.truth, a: ca.utterances.pred });
    }
    return { keys, unpaired, groups };
  }
  const pairs = runPairs(a, b);
  for (const { key, ra, rb } of pairs) {
    const ca = corpusOf(ra.model, corpus);
    const cb = corpusOf(rb.model, corpus);
    if (!ca) continue;
    if (!cb) {
      unpaired.push(`${a.method}[${key}]`);
      continue;
    }
    const position = new Map(cb.utterances.ids.map((id, i) => [id, i]));
    const truth: number[] = [];
    const pa: number[] = [];
    const pb: number[] = [];
    ca.utterances.ids.forEach((id, i) => {
      const j = position.get(id);
      if (j === undefined || cb.utterances.truth[j] !== ca.utterances.truth[i]) return;
      truth.push(ca.utterances.truth[i]!);
      pa.push(ca.utterances.pred[i]!);
      pb.push(cb.utterances.pred[j]!);
    });
    keys.push(key);
    groups.push({ truth, a: pa, b: pb });
  }
  for (const [m, side] of [
    [a, 'ra'],
    [b, 'rb'],
  ] as const)
    for (const run of m.runs)
      if (!pairs.some((p) => p[side] === run)) unpaired.push(`${m.method}[${run.key}]`);
  return { keys, unpaired, groups };
}

export function compareMethods(
  a: MethodRuns,
  b: MethodRuns,
  corpus: string,
  metric: MetricName,
  numClasses: number,
  options: StatsOptions,
): Comparison | null {
  const { keys, unpaired, groups } = pairedGroups(a, b, corpus);
  if (groups.length === 0) return null;
  const pairs = runPairs(a, b);
  const diffs = keys.map((key) => {
    const { ra, rb } = pairs.find((p) => p.key === key)!;
    return corpusOf(ra.model, corpus)![metric] - corpusOf(rb.model, corpus)![metric];
  });
  const full = groups as Required<PairedGroup>[];
  return {
    a: a.method,
    b: b.method,
    corpus,
    metric,
    pairedRuns: keys,
    unpairedRuns: unpaired,
    diffs,
    seedInterval: tInterval(diffs, options.level),
    bootstrap: hierarchicalBootstrap(groups, {
      metric,
      numClasses,
      resamples: options.resamples,
      level: options.level,
      seed: options.seed,
    }),
    signFlip: signFlipTest(diffs, { seed: options.seed }),
    signTest: signTest(diffs),
    utterancePermutation: pairedPredictionPermutationTest(full, {
      metric,
      numClasses,
      resamples: Math.min(options.resamples, 1000),
      seed: options.seed,
    }),
  };
}
