/**
 * What is wrong with a directory claimed to be a predictions store, or undefined: the check behind
 * the `predictions` artifact type, so a command stage's predictions reach `analysis:evaluate` only
 * when it can read them.
 */
import { isSerxError } from '@serx/core';
import { featureStoreProblem, INDEX_FILE } from '@serx/stage-features';
import { readPredictionsStore } from './predictions-store.ts';

export async function predictionsStoreProblem(dir: string): Promise<string | undefined> {
  const asStore = await featureStoreProblem(dir);
  if (asStore) return asStore;
  let store: Awaited<ReturnType<typeof readPredictionsStore>>;
  try {
    store = await readPredictionsStore(dir);
  } catch (error) {
    if (isSerxError(error))
      return error.loc ? `${INDEX_FILE}:${error.loc.line}: ${error.message}` : error.message;
    throw error;
  }
  try {
    const classes = store.meta.classes;
    if (!Array.isArray(classes) || classes.length === 0 || !classes.every((c) => typeof c === 'string'))
      return "meta.json needs `classes`: the class names in the order of each row's probs";
    if (store.meta.kind !== 'predictions') return 'meta.json needs `kind: "predictions"`';
    if (!Array.isArray(store.meta.trainCorpora))
      return 'meta.json needs `trainCorpora`: the corpora the model was trained on (the others are evaluated whole)';
    for (const row of store.rows) {
      const at = `row '${row.id}'`;
      if (!classes.includes(row.pred))
        return `${at}: pred '${row.pred}' is not one of meta.classes (${classes.join(', ')})`;
      if (row.probs !== undefined && (!Array.isArray(row.probs) || row.probs.length !== classes.length))
        return `${at}: probs must hold ${classes.length} numbers (one per meta.classes)`;
    }
    return undefined;
  } finally {
    store.close();
  }
}
