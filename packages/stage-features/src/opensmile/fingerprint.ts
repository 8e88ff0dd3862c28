import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { provisionScript } from './installation.ts';

/**
 * What the stage computes with outside its code: the provisioned library (its sha256 and version,
 * from the manifest) and every config file. `not provisioned` when it is missing, so that planning
 * works and the run fails with the command to run.
 *
 * Computed once per process while the manifest and the addon are the same files (provisioning
 * rewrites them): a run asks for every openSMILE node, and the smoke spec has six.
 */
export async function opensmileFingerprint(): Promise<string> {
  const script = await provisionScript();
  const paths = script.opensmilePaths();
  const stamp = [paths.home, fileStamp(paths.manifest), fileStamp(paths.addon)].join('\0');
  if (memo?.stamp !== stamp) memo = { stamp, value: compute(script) };
  return memo.value;
}

let memo: { stamp: string; value: string } | undefined;

function fileStamp(path: string): string {
  const s = statSync(path, { bigint: true, throwIfNoEntry: false });
  return s ? `${s.ino}:${s.size}:${s.mtimeNs}` : 'absent';
}

function compute(script: Awaited<ReturnType<typeof provisionScript>>): string {
  if (!script.opensmileState().ok) return 'opensmile: not provisioned';
  const paths = script.opensmilePaths();
  // Synchronous: ~45 small files; awaited, each read waited its turn in the thread pool behind
  // the rest of a no-op rerun's file reads.
  const manifest = JSON.parse(readFileSync(paths.manifest, 'utf8')) as {
    version: string;
    librarySha256: string;
  };
  const hash = createHash('sha256').update(`${manifest.version}\n${manifest.librarySha256}\n`);
  for (const file of listFiles(paths.configs))
    hash.update(`${relative(paths.configs, file)}\n`).update(readFileSync(file));
  return `opensmile ${manifest.version} ${hash.digest('hex')}`;
}

/** Every file under `dir`, sorted by path. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listFiles(join(dir, e.name)) : [join(dir, e.name)]))
    .sort();
}
