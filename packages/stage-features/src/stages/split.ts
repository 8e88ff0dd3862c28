import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  defineStage,
  ErrorCodes,
  type InputSpecs,
  paramsSchema,
  SerxError,
  type StageContext,
} from '@serx/core';
import { getCorpusReader } from '../corpora/registry.ts';
import { readUtterances, writeUtterances } from '../corpora/utterances-file.ts';
import { checkCoverage } from '../labels/coverage.ts';
import { effectiveMapping } from '../labels/mapping.ts';
import { splitUtterances } from '../split/apply.ts';
import { PARTITIONS, type SplitRule } from '../split/types.ts';

export interface SplitParams {
  rule?: SplitRule;
  mapping?: Record<string, string>;
  useDefaultMapping?: boolean;
}

const inputs = { utterances: { type: 'utterances' } } as const satisfies InputSpecs;
const speakerList = { type: 'array', items: { type: 'string' } } as const;
const fraction = { type: 'number', minimum: 0, maximum: 1 } as const;

/**
 * `features:split`: maps labels to classes and assigns every utterance to train / validation /
 * test (speaker-independent); writes `leakage.json`. A speaker in two partitions (other than the
 * paper's own SAVEE KL halving) is SPLIT_LEAKAGE; an unmapped label is LABEL_UNMAPPED.
 */
export const split = defineStage({
  name: 'features:split',
  version: '1',
  description: 'Map labels to classes and split by speaker (paper section 3.1 by default)',
  params: paramsSchema<SplitParams>({
    type: 'object',
    additionalProperties: false,
    properties: {
      rule: {
        default: 'paper',
        description:
          "'paper' (section 3.1), 'all-test', 'all-train', {speakers: {...}, rest}, or {speakerFraction: {validation, test}}",
        oneOf: [
          { enum: ['paper', 'all-test', 'all-train'] },
          {
            type: 'object',
            additionalProperties: false,
            required: ['speakers'],
            properties: {
              speakers: {
                type: 'object',
                additionalProperties: false,
                properties: { train: speakerList, validation: speakerList, test: speakerList },
              },
              rest: { enum: ['train', 'validation', 'test', 'drop'] },
            },
          },
          {
            type: 'object',
            additionalProperties: false,
            required: ['speakerFraction'],
            properties: {
              speakerFraction: {
                type: 'object',
                additionalProperties: false,
                properties: { validation: fraction, test: fraction },
              },
            },
          },
        ],
      },
      mapping: {
        type: 'object',
        additionalProperties: { type: 'string', minLength: 1 },
        description: 'label → class (or drop), laid over the default mapping',
      },
      useDefaultMapping: { type: 'boolean', default: true },
    },
  }),
  inputs,
  outputs: {
    utterances: { type: 'utterances', description: 'rows with split and class, plus leakage.json' },
  },
  resources: { class: 'light' },
  run: runSplit,
});

async function runSplit(ctx: StageContext<SplitParams, typeof inputs>) {
  const input = ctx.inputs.utterances;
  const { meta, utterances } = await readUtterances(input.path);
  if (!meta.corpus || !meta.reader)
    throw new SerxError(ErrorCodes.INPUT_DATA, `${input.path}: utterances meta lacks corpus/reader`);
  const mapping = effectiveMapping({
    mapping: ctx.params.mapping ?? {},
    useDefault: ctx.params.useDefaultMapping ?? true,
  });
  checkCoverage(meta.corpus, getCorpusReader(meta.reader), mapping);
  const { rows, report } = splitUtterances(utterances, {
    corpus: meta.corpus,
    reader: meta.reader,
    rule: ctx.params.rule ?? 'paper',
    mapping,
    seed: ctx.seed,
  });
  const dir = ctx.outputs.utterances!;
  const counts = Object.fromEntries(PARTITIONS.map((p) => [p, report.partitions[p].utterances]));
  await writeUtterances(
    dir,
    { ...meta, count: rows.length, split: report.rule, partitions: counts, mapping },
    rows,
  );
  await writeFile(join(dir, 'leakage.json'), `${JSON.stringify(report, null, 2)}\n`);
  ctx.metrics.artifact(join(dir, 'leakage.json'));
  for (const p of PARTITIONS) ctx.metrics.metric(`${p}_utterances`, report.partitions[p].utterances);
  for (const shared of report.sharedSpeakers)
    ctx.log.warn(`speaker ${shared.speaker} is in ${shared.partitions.join(' and ')}: ${shared.reason}`);
  ctx.log.info(`${meta.corpus}: ${report.rule}; ${PARTITIONS.map((p) => `${p} ${counts[p]}`).join(', ')}`);
  return {
    meta: {
      utterances: {
        corpus: meta.corpus,
        reader: meta.reader,
        count: rows.length,
        rule: report.rule,
        partitions: counts,
        dropped: report.dropped,
        sharedSpeakers: report.sharedSpeakers.map((s) => `${s.speaker}: ${s.partitions.join('+')}`),
      },
    },
  };
}
