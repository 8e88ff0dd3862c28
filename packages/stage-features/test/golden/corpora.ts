import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

/** The shared corpora: `$SERX_DATA`, else `../shared/corpora` beside the repository. */
export const CORPORA_ROOT = process.env.SERX_DATA ?? resolve(REPO_ROOT, '../shared/corpora');

export function corpusFile(relative: string): string {
  const path = resolve(CORPORA_ROOT, relative);
  if (!existsSync(path)) throw new Error(`test data missing: ${path} (set SERX_DATA to the corpora folder)`);
  return path;
}
