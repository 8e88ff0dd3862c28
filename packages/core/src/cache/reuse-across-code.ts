import { copyFile, link, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Cache, Lookup } from './cache.ts';
import { canonicalJson } from './canonical-json.ts';
import type { CacheKeyInput } from './key.ts';
import type { EntryManifest } from './manifest.ts';

type Hit = Extract<Lookup, { status: 'hit' }>;

const withoutCode = ({ code: _code, ...rest }: CacheKeyInput) => canonicalJson(rest);

/**
 * The newest sound entry whose key material equals `keyInput` in everything but the code: the
 * result of the same stage, params, seed and inputs computed by other code. Reads every manifest,
 * which is fine for the rare explicit request it serves.
 */
export async function findEntryIgnoringCode(cache: Cache, keyInput: CacheKeyInput): Promise<Hit | undefined> {
  const wanted = withoutCode(keyInput);
  let best: Hit | undefined;
  for (const key of await cache.listEntries()) {
    const found = await cache.lookup(key, { keepCorrupt: true });
    if (found.status !== 'hit' || !found.manifest.keyInput) continue;
    if (withoutCode(found.manifest.keyInput) !== wanted) continue;
    if (!best || found.manifest.timing.finishedAt > best.manifest.timing.finishedAt) best = found;
  }
  return best;
}

/** How an entry came to be without running its stage (`serx run --reuse-across-code-change`). */
export interface ReuseNote {
  /** The entry whose outputs were reused, made by other code. */
  from: string;
  /** `code changed: <file>` lines: the difference the user accepted as harmless. */
  changes: string[];
  runId: string | undefined;
  at: string;
}

/**
 * Publishes `source`'s outputs under `key` (hard links, copies across file systems), with a
 * manifest that says so: later runs then hit `key` like any other entry, and downstream stages
 * see the same content hashes.
 */
export async function adoptEntry(
  cache: Cache,
  source: Hit,
  key: string,
  keyInput: CacheKeyInput,
  producer: string,
  note: ReuseNote,
): Promise<EntryManifest> {
  const staging = await cache.stage(key, Object.keys(source.manifest.outputs));
  try {
    for (const [name, output] of Object.entries(source.manifest.outputs)) {
      for (const file of output.files) {
        const from = join(source.path, name, file.path);
        const to = join(staging.outputs[name] as string, file.path);
        await mkdir(dirname(to), { recursive: true });
        await link(from, to).catch(() => copyFile(from, to));
      }
    }
    const outputs = Object.fromEntries(
      Object.entries(source.manifest.outputs).map(([name, o]) => [
        name,
        { type: o.type, meta: o.meta, corpora: o.corpora },
      ]),
    );
    return await cache.publish(staging, {
      keyInput,
      producer,
      outputs,
      metrics: source.manifest.metrics,
      timing: { startedAt: note.at, finishedAt: note.at, durationMs: 0 },
      runId: note.runId,
      reusedAcrossCodeChange: note,
    });
  } catch (error) {
    await cache.discard(staging);
    throw error;
  }
}
