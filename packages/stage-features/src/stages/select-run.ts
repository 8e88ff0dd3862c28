import { canonicalJson, ErrorCodes, SerxError } from '@serx/core';
import type { FeatureStoreMeta } from '../store/format.ts';
import { openFeatureStore } from '../store/reader.ts';
import { FeatureStoreWriter } from '../store/writer.ts';
import type { SelectContext } from './select.ts';

export async function runSelect(ctx: SelectContext) {
  const keep = new Set<string>(ctx.params.splits);
  const stores = await Promise.all(ctx.inputs.features.map((a) => openFeatureStore(a.path)));
  try {
    const first = stores[0];
    if (!first)
      throw new SerxError(ErrorCodes.INPUT_DATA, `${ctx.id}: no feature stores wired to 'features'`);
    const config = configOf(first.meta);
    for (const store of stores.slice(1)) {
      if (canonicalJson(configOf(store.meta)) !== canonicalJson(config)) {
        throw new SerxError(
          ErrorCodes.INPUT_DATA,
          `${store.dir}/meta.json: features computed differently from ${first.dir} (MFCC options, normalisation or padding differ); select from stores of one configuration`,
        );
      }
    }
    const { format: _format, dims, dtype: _dtype, sampleRate, ...extra } = config;
    const corpora = [...new Set(stores.map((s) => String(s.meta.corpus)))];
    const writer = await FeatureStoreWriter.create(ctx.outputs.features!, {
      dims,
      ...(sampleRate === undefined ? {} : { sampleRate }),
      meta: { ...extra, corpus: corpora.join('+'), corpora, splits: ctx.params.splits },
    });
    const perCorpus: { [corpus: string]: number } = {};
    for (const store of stores) {
      for (const { row, data } of store.iterate((r) => r.split !== null && keep.has(r.split))) {
        const { frames: _frames, shard: _shard, offset: _offset, ...input } = row;
        await writer.append(input, data);
        perCorpus[row.corpus] = (perCorpus[row.corpus] ?? 0) + 1;
      }
    }
    const written = await writer.close();
    ctx.metrics.metric('utterances', written.count);
    ctx.log.info(`${ctx.params.splits.join('+')} rows: ${JSON.stringify(perCorpus)}`);
    return { meta: { features: { count: written.count, frames: written.frames, corpora, perCorpus } } };
  } finally {
    for (const store of stores) store.close();
  }
}

/**
 * What must match for rows to be interchangeable: everything in a store's meta but its counts,
 * its corpus and each corpus's own normalisation statistics (the mode, `normalise`, must match).
 */
function configOf(meta: FeatureStoreMeta) {
  const { count: _c, frames: _f, shards: _s, corpus: _corpus, normalisation: _n, ...config } = meta;
  return config;
}
