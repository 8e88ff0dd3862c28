import { SerxError } from '@serx/core';
import { AnalysisErrors } from '../errors.ts';
import type { ReportParams } from './build-report.ts';
import { type MethodRuns, pairMethods, resolveMethods } from './method-runs.ts';

/** The pairs to compare: `params.compare` (stage or method ids), else pre-trained encoder vs scratch. */
export function comparisonPairs(
  methods: readonly MethodRuns[],
  compare: ReportParams['compare'],
): [MethodRuns, MethodRuns][] {
  if (!compare) {
    const bs = methods.filter((m) => m.strategy === 'scratch');
    const frozen = methods.filter((m) => m.strategy === 'frozen');
    return pairMethods(frozen.length > 0 ? frozen : methods.filter((m) => m.strategy === 'finetune'), bs);
  }
  const resolve = (name: string) => {
    const found = resolveMethods(methods, name);
    if (found.length === 0) {
      throw new SerxError(
        AnalysisErrors.CLAIM_INVALID,
        `compare names method '${name}'; evaluated methods: ${methods.map((m) => m.method).join(', ')}`,
        {
          specPath: 'params.compare',
        },
      );
    }
    return found;
  };
  const pairs = pairMethods(resolve(compare.a), resolve(compare.b));
  if (pairs.length === 0) {
    throw new SerxError(
      AnalysisErrors.CLAIM_INVALID,
      `compare: no method of '${compare.a}' matches one of '${compare.b}' on their shared matrix axes`,
      {
        specPath: 'params.compare',
      },
    );
  }
  return pairs;
}
