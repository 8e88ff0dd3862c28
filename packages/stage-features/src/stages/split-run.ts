import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import { getCorpusReader } from '../corpora/registry.ts';
import { readUtterances, writeUtterances } from '../corpora/utterances-file.ts';
import { checkCoverage } from '../labels/coverage.ts';
import { effectiveMapping } from '../labels/mapping.ts';
import { splitUtterances } from '../split/apply.ts';
import { PARTITIONS } from '../split/types.ts';
import type { SplitContext } from './split.ts';

export async function runSplit(ctx: SplitContext) {
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
