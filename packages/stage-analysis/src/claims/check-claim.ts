import { ErrorCodes, SerxError } from '@serx/core';
import { type Comparison, compareMethods, pairedGroups, type StatsOptions } from '../report/comparison.ts';
import type { MethodRuns } from '../report/method-runs.ts';
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
  const find = (name: string) => {
    const m = methods.find((x) => x.method === name);
    if (!m) {
      throw new SerxError(
        ErrorCodes.CLAIM_INVALID,
        `claim "${describeClaim(claim)}" names method '${name}'; evaluated methods: ${methods.map((x) => x.method).join(', ')}`,
        { specPath: where },
      );
    }
    return m;
  };
  const a = find(claim.a);
  const b = claim.b === undefined ? null : find(claim.b);
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
    ErrorCodes.CLAIM_INVALID,
    `claim "${describeClaim(claim)}": no evaluated runs on corpus '${claim.corpus}'`,
    { specPath: where },
  );
}
