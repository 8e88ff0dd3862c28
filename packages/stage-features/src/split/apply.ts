import { SerxError } from '@serx/core';
import type { SplitUtterance, Utterance } from '../corpora/types.ts';
import { FeaturesErrors } from '../errors.ts';
import { DROP, mapLabel } from '../labels/mapping.ts';
import { explicitRule } from './explicit-rule.ts';
import { type LeakageReport, leakageReport } from './leakage.ts';
import { paperRule } from './paper.ts';
import type { ResolvedRule, SplitRule } from './types.ts';

export interface SplitOptions {
  corpus: string;
  /** Reader that produced the utterances (selects the `paper` rule). */
  reader: string;
  rule: SplitRule;
  /** Effective label → class mapping (labels/mapping.ts). */
  mapping: Record<string, string>;
  seed: number;
}

export interface SplitResult {
  rows: SplitUtterance[];
  report: LeakageReport;
}

/**
 * Maps labels to classes, assigns partitions and checks for leakage: a duplicate utterance id,
 * or a speaker in two partitions that the rule did not declare, is SPLIT_LEAKAGE.
 */
export function splitUtterances(utterances: readonly Utterance[], options: SplitOptions): SplitResult {
  const rule = resolveRule(options.rule, options.reader, utterances, options.seed);
  const rows: SplitUtterance[] = [];
  const dropped: Record<string, number> = {};
  const seen = new Set<string>();
  for (const u of utterances) {
    if (seen.has(u.id))
      throw new SerxError(
        FeaturesErrors.SPLIT_LEAKAGE,
        `corpus '${options.corpus}': utterance id '${u.id}' occurs twice (${u.path})`,
      );
    seen.add(u.id);
    const cls = mapLabel(options.corpus, u.label, options.mapping);
    const split = rule.assign(u);
    if (cls === DROP || split === 'drop') {
      const why = cls === DROP ? `label ${u.label}` : `speaker ${u.speaker} (no partition)`;
      dropped[why] = (dropped[why] ?? 0) + 1;
      continue;
    }
    rows.push({ ...u, split, class: cls });
  }
  const report = leakageReport(options.corpus, rule, rows, dropped);
  const illegal = report.sharedSpeakers.filter((s) => !s.allowed);
  if (illegal.length > 0) {
    const list = illegal.map((s) => `${s.speaker} (${s.partitions.join(', ')})`).join('; ');
    throw new SerxError(
      FeaturesErrors.SPLIT_LEAKAGE,
      `corpus '${options.corpus}': speakers in more than one partition: ${list} [rule: ${rule.description}]`,
    );
  }
  return { rows, report };
}

function resolveRule(
  rule: SplitRule,
  reader: string,
  utterances: readonly Utterance[],
  seed: number,
): ResolvedRule {
  return rule === 'paper' ? paperRule(reader, utterances, seed) : explicitRule(rule, utterances, seed);
}
