/** Utterances per corpus / split / class, from data stores (index.jsonl) or, failing that, the evaluated test sets. */
import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { EvaluationDoc } from '../evaluation/types.ts';
import type { DataCount } from './model.ts';

function add(counts: Map<string, DataCount>, corpus: string, split: string, cls: string, n = 1): void {
  const key = `${corpus}\u0000${split}\u0000${cls}`;
  const entry = counts.get(key) ?? { corpus, split, class: cls, count: 0 };
  entry.count += n;
  counts.set(key, entry);
}

const sorted = (counts: Map<string, DataCount>) =>
  [...counts.values()].sort(
    (a, b) =>
      a.corpus.localeCompare(b.corpus) || a.split.localeCompare(b.split) || a.class.localeCompare(b.class),
  );

/** Counts rows of `index.jsonl` in each directory (streamed); directories without one are skipped. */
export async function countStores(dirs: readonly string[]): Promise<DataCount[]> {
  const counts = new Map<string, DataCount>();
  const seen = new Set<string>();
  for (const dir of dirs) {
    const file = join(dir, 'index.jsonl');
    if (!existsSync(file)) continue;
    for await (const line of createInterface({
      input: createReadStream(file),
      crlfDelay: Number.POSITIVE_INFINITY,
    })) {
      if (line.trim() === '') continue;
      const row = JSON.parse(line) as {
        id?: string;
        corpus?: string;
        split?: string | null;
        class?: string | null;
      };
      const id = `${row.corpus}/${row.id}`;
      if (seen.has(id)) continue; // the same utterance in two stores (e.g. features and predictions)
      seen.add(id);
      add(counts, row.corpus ?? '?', row.split ?? '(none)', row.class ?? '(unlabelled)');
    }
  }
  return sorted(counts);
}

/** The evaluated utterances of the first run of each corpus (the same test set for every model). */
export function countEvaluated(docs: readonly EvaluationDoc[]): DataCount[] {
  const counts = new Map<string, DataCount>();
  const done = new Set<string>();
  for (const doc of docs) {
    for (const model of doc.models) {
      for (const c of model.corpora) {
        if (done.has(c.corpus)) continue;
        done.add(c.corpus);
        const split = c.unseen ? `${c.splits.join('+')} (unseen)` : c.splits.join('+');
        for (const t of c.utterances.truth) add(counts, c.corpus, split, model.classes[t]!);
      }
    }
  }
  return sorted(counts);
}
