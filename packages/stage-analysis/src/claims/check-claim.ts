import { SerxError } from '@serx/core';
import { AnalysisErrors } from '../errors.ts';
import { type Comparison, compareMethods, pairedGroups, type StatsOptions } from '../report/comparison.ts';
import { type MethodRuns, pairMethods, resolveMethods } from '../report/method-runs.ts';
import { type BootstrapResult, hierarchicalBootstrap } from '../stats/bootstrap.ts';
import { type Claim, describeClaim } from './claim.ts';

export type Verdict = 'holds' | 'does not hold' | 'inconclusive';

export interface ClaimResult {
  claim: Claim;
  text: string;
  verdict: Verdict;
  /** The estimate and its bootstrap CI (over seeds and utterances). */
  estimate: number;
  lo: number;
  hi: number;
  level: number;
  /** Number of seeds (paired runs, for a difference) the claim rests on. */
  seeds: number;
  utterances: number;
  /** Two-sided p-values of the paired tests (difference claims only). */
  p?: { signFlip: number; signTest: number; utterancePermutation: number };
}

/**
 * "holds" when the whole CI satisfies the inequality, "does not hold" when the whole CI violates
 * it, "inconclusive" when the CI straddles the threshold.
 */
export function verdictOf(op: Claim['op'], value: number, lo: number, hi: number): Verdict {
  switch (op) {
    case '>=':
      return lo >= value ? 'holds' : hi < value ? 'does not hold' : 'inconclusive';
    case '>':
      return lo > value ? 'holds' : hi <= value ? 'does not hold' : 'inconclusive';
    case '<=':
      return hi <= value ? 'holds' : lo > value ? 'does not hold' : 'inconclusive';
    case '<':
      return hi < value ? 'holds' : lo >= value ? 'does not hold' : 'inconclusive';
  }
}

export function checkClaim(
  claim: Claim,
  methods: readonly MethodRuns[],
  numClasses: number,
  options: StatsOptions,
  where: string,
): ClaimResult {
  const invalid = (message: string) =>
    new SerxError(AnalysisErrors.CLAIM_INVALID, `claim "${describeClaim(claim)}" ${message}`, {
      specPath: where,
    });
  const ids = methods.map((x) => x.method).join(', ');
  const as = resolveMethods(methods, claim.a);
  if (as.length === 0) throw invalid(`names method '${claim.a}'; evaluated methods: ${ids}`);
  if (as.length > 1)
    throw invalid(
      `: '${claim.a}' stands for ${as.length} ablation variants; name one of ${as.map((x) => x.method).join(', ')}`,
    );
  const a = as[0]!;
  let b: MethodRuns | null = null;
  if (claim.b !== undefined) {
    const bs = resolveMethods(methods, claim.b);
    if (bs.length === 0) throw invalid(`names method '${claim.b}'; evaluated methods: ${ids}`);
    const pair = pairMethods([a], bs)[0];
    if (!pair)
      throw invalid(
        `: no variant of '${claim.b}' matches ${a.method}; name one of ${bs.map((x) => x.method).join(', ')}`,
      );
    b = pair[1];
  }
  let boot: BootstrapResult;
  let comparison: Comparison | null = null;
  if (b) {
    comparison = compareMethods(a, b, claim.corpus, claim.metric, numClasses, options);
    if (!comparison) throw noData(claim, where);
    boot = comparison.bootstrap;
  } else {
    const { groups } = pairedGroups(a, null, claim.corpus);
    if (groups.length === 0) throw noData(claim, where);
    boot = hierarchicalBootstrap(groups, {
      metric: claim.metric,
      numClasses,
      resamples: options.resamples,
      level: options.level,
      seed: options.seed,
    });
  }
  return {
    claim,
    text: claim.text ?? describeClaim(claim),
    verdict: verdictOf(claim.op, claim.value, boot.lo, boot.hi),
    estimate: boot.estimate,
    lo: boot.lo,
    hi: boot.hi,
    level: boot.level,
    seeds: boot.seeds,
    utterances: Math.round(boot.utterances.reduce((x, y) => x + y, 0) / Math.max(1, boot.utterances.length)),
    ...(comparison
      ? {
          p: {
            signFlip: comparison.signFlip.p,
            signTest: comparison.signTest.p,
            utterancePermutation: comparison.utterancePermutation.p,
          },
        }
      : {}),
  };
}

function noData(claim: Claim, where: string): SerxError {
  return new SerxError(
    AnalysisErrors.CLAIM_INVALID,
    `claim "${describeClaim(claim)}": no evaluated runs on corpus '${claim.corpus}'`,
    { specPath: where },
  );
}
