import { describeCodeChange } from '../cache/code/code-diff.ts';
import type { CacheKeyInput } from '../cache/key.ts';
import { adoptEntry, findEntryIgnoringCode } from '../cache/reuse-across-code.ts';
import type { GraphNode } from '../graph/types.ts';
import { artifactsOf, type NodeEnv, type NodeOutcome } from './node-outcome.ts';
import type { StageRecord } from './record.ts';

/** The MLflow tag (on the stage's run, or the parent run's `<node>.` tags) that marks a reuse. */
export const REUSE_TAG = 'serx.reusedAcrossCodeChange';

/**
 * `--reuse-across-code-change <stage>`: on a miss, reuse the newest entry that differs from this
 * key only by code, publishing it under the new key with a manifest that names the old entry and
 * the changed files, and saying so in the run's events, record and tracking. Undefined when
 * there is nothing to reuse (the stage then runs).
 */
export async function reuseAcrossCodeChange(
  env: NodeEnv,
  node: GraphNode,
  record: StageRecord,
  keyInput: CacheKeyInput,
  key: string,
): Promise<NodeOutcome | undefined> {
  const source = await findEntryIgnoringCode(env.cache, keyInput);
  if (!source) {
    env.emit({
      type: 'warning',
      id: node.id,
      message: `--reuse-across-code-change: '${node.id}' has no entry with the same params and inputs to reuse; running it`,
    });
    return undefined;
  }
  const changes = describeCodeChange(source.manifest.keyInput.code, keyInput.code);
  const note = { from: source.manifest.key, changes, runId: env.runId, at: new Date().toISOString() };
  const manifest = await adoptEntry(env.cache, source, key, keyInput, node.id, note);
  const summary = `reused entry ${note.from.slice(0, 12)} across a code change (${changes.join('; ')})`;
  env.emit({ type: 'warning', id: node.id, message: `'${node.id}' ${summary}` });
  env.tracker.stageStarted({ node, key, cacheHit: true });
  env.tracker.tag(node.id, REUSE_TAG, `${note.from}: ${changes.join('; ')}`.slice(0, 4000));
  env.tracker.stageFinished(node.id, 'cached', { metrics: manifest.metrics, durationMs: 0 });
  env.emit({ type: 'state', id: node.id, state: 'cached', key, detail: summary });
  return {
    record: {
      ...record,
      status: 'cached',
      outputs: Object.fromEntries(Object.entries(manifest.outputs).map(([n, o]) => [n, o.hash])),
      metrics: manifest.metrics,
      reusedAcrossCodeChange: { from: note.from, changes },
    },
    artifacts: artifactsOf(node, env.cache.entryPath(key), manifest),
  };
}
