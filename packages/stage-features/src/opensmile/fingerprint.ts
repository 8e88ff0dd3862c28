import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { provisionScript } from './installation.ts';

/**
 * What the stage computes with outside its code: the provisioned library (its sha256 and version,
 * from the manifest) and every config file. `not provisioned` when it is missing, so that planning
 * works and the run fails with the command to run.
 */
export async function opensmileFingerprint(): Promise<string> {
  const script = await provisionScript();
  if (!script.opensmileState().ok) return 'opensmile: not provisioned';
  const paths = script.opensmilePaths();
  const manifest = JSON.parse(await readFile(paths.manifest, 'utf8')) as {
    version: string;
    librarySha256: string;
  };
  const hash = createHash('sha256').update(`${manifest.version}\n${manifest.librarySha256}\n`);
  for (const file of await listFiles(paths.configs))
    hash.update(`${relative(paths.configs, file)}\n`).update(await readFile(file));
  return `opensmile ${manifest.version} ${hash.digest('hex')}`;
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? listFiles(join(dir, e.name)) : Promise.resolve([join(dir, e.name)]),
    ),
  );
  return nested.flat().sort();
}
