import { statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Json } from '../contract.ts';
import { contentHash, type FileEntry, hashFile, listFiles } from './hash-tree.ts';
import type { CacheKeyInput } from './key.ts';
import type { ReuseNote } from './reuse-across-code.ts';
import { unreadable } from './unreadable.ts';

export const MANIFEST = 'manifest.json';

export interface OutputManifest {
  type: string;
  /** {@link contentHash} of `files`: what consumers see as `Artifact.hash`. */
  hash: string;
  files: FileEntry[];
  /** Total bytes. */
  size: number;
  meta: { [key: string]: Json };
  corpora: string[];
}

/** `<entry>/manifest.json`: written last into the temp dir, then the whole dir is renamed into place. */
export interface EntryManifest {
  format: 1;
  /** The producer key (the entry's name). */
  key: string;
  /** Exactly what was hashed into `key`. */
  keyInput: CacheKeyInput;
  stage: string;
  /** Node id of the producing stage, e.g. `ser_frozen[seed=1]`. */
  producer: string;
  outputs: { [name: string]: OutputManifest };
  metrics: { [name: string]: number };
  timing: { startedAt: string; finishedAt: string; durationMs: number };
  createdBy: { runId: string | undefined; pid: number; hostname: string };
  /**
   * Present when the stage did not run: the user declared a code change harmless
   * (`serx run --reuse-across-code-change <stage>`) and the outputs of the entry `from` were reused.
   */
  reusedAcrossCodeChange?: ReuseNote;
}

/** Whether `root/name` stays strictly inside `root`. */
function within(root: string, name: string): boolean {
  const rel = relative(root, resolve(root, name));
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

/** Why an entry failed its check, or undefined when it is sound. */
export async function checkEntry(
  dir: string,
  manifest: EntryManifest,
  verify: boolean,
): Promise<string | undefined> {
  if (manifest.format !== 1 || typeof manifest.outputs !== 'object') return 'manifest has an unknown format';
  for (const [name, output] of Object.entries(manifest.outputs)) {
    if (!within(dir, name)) return `manifest names an output outside the entry (${name})`;
    const outDir = join(dir, name);
    for (const file of output.files) {
      if (!within(outDir, file.path)) return `manifest lists a file outside the entry (${name}/${file.path})`;
      const path = join(outDir, file.path);
      // synchronous: one stat per file of every entry a no-op rerun hits; awaited, each costs a
      // round trip through the thread pool
      let size: number | undefined;
      try {
        size = statSync(path).size;
      } catch (cause) {
        const error = cause as NodeJS.ErrnoException;
        // a file that is gone is corruption; one this user may not see is not
        if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw unreadable(path, error);
      }
      if (size === undefined) return `file ${name}/${file.path} is missing`;
      if (size !== file.size)
        return `file ${name}/${file.path} has ${size} bytes, manifest says ${file.size}`;
      if (
        verify &&
        (await hashFile(path, size).catch((error) => Promise.reject(unreadable(path, error)))) !== file.sha256
      )
        return `file ${name}/${file.path} has a wrong sha256`;
    }
    if (verify) {
      if (contentHash(output.files) !== output.hash) return `output ${name} has a wrong content hash`;
      const listed = (await listFiles(outDir)).map((f) => f.path).join('\n');
      if (listed !== output.files.map((f) => f.path).join('\n'))
        return `output ${name} has files the manifest does not list`;
    }
  }
  return undefined;
}
