import { SerxError } from '@serx/core';
import { getCorpusReader } from '../corpora/registry.ts';
import type { Utterance } from '../corpora/types.ts';
import { FeaturesErrors } from '../errors.ts';
import { constantRule } from './constant-rule.ts';
import { explicitRule } from './explicit-rule.ts';
import type { ResolvedRule } from './types.ts';

/**
 * `rule: paper`: the corpus's standard split, as its reader declares it (`paperSplit`); the seed
 * paper's section 3.1 splits live in the built-in readers' files. A reader of unlabelled speech
 * without one puts everything in train (pretraining speech).
 */
export function paperRule(reader: string, utterances: readonly Utterance[], seed = 0): ResolvedRule {
  const { paperSplit, labelled } = getCorpusReader(reader);
  if (typeof paperSplit === 'function') return paperSplit(utterances);
  if (paperSplit)
    return { ...explicitRule(paperSplit.rule, utterances, seed), description: paperSplit.description };
  if (!labelled) return constantRule('train', `paper (${reader}): no split, all train (pretraining speech)`);
  throw new SerxError(
    FeaturesErrors.SPLIT_RULE,
    `the paper defines no split for reader '${reader}'; give the split stage a rule (speakers, speakerFraction, all-test)`,
  );
}
