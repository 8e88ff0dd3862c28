import type { Utterance } from '../corpora/types.ts';
import { constantRule } from './constant-rule.ts';
import { speakerFractionRule } from './speaker-fraction.ts';
import { speakerListRule } from './speaker-lists.ts';
import type { ResolvedRule, SplitRule } from './types.ts';

/** Every rule but `paper` (which a reader defines in these same terms). */
export function explicitRule(
  rule: Exclude<SplitRule, 'paper'>,
  utterances: readonly Utterance[],
  seed: number,
): ResolvedRule {
  if (rule === 'all-test') return constantRule('test', 'all-test (held-out corpus)');
  if (rule === 'all-train') return constantRule('train', 'all-train');
  if ('speakers' in rule) return speakerListRule(rule.speakers, rule.rest ?? 'train');
  return speakerFractionRule(
    utterances.map((u) => u.speaker),
    rule.speakerFraction,
    seed,
  );
}
