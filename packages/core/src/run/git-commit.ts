import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

function gitDirOf(start: string): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, '.git');
    if (existsSync(candidate)) {
      if (statSync(candidate).isDirectory()) return candidate;
      const pointer = /^gitdir: (.+)$/m.exec(readFileSync(candidate, 'utf8'))?.[1]; // worktree / submodule
      // git writes an absolute path here (a relative one is relative to this folder): resolve, not join
      return pointer ? resolve(dir, pointer.trim()) : undefined;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * `git rev-parse HEAD` of the repository holding `file`, read from `.git` directly (spawning git
 * would cost a no-op rerun tens of milliseconds). Undefined outside a repository.
 */
export function gitCommit(file: string): string | undefined {
  try {
    const gitDir = gitDirOf(dirname(file));
    if (!gitDir) return undefined;
    const head = readFileSync(join(gitDir, 'HEAD'), 'utf8').trim();
    if (!head.startsWith('ref: ')) return head;
    const ref = head.slice(5);
    const common = existsSync(join(gitDir, 'commondir'))
      ? join(gitDir, readFileSync(join(gitDir, 'commondir'), 'utf8').trim())
      : gitDir;
    for (const dir of [gitDir, common]) {
      if (existsSync(join(dir, ref))) return readFileSync(join(dir, ref), 'utf8').trim();
    }
    const packed = readFileSync(join(common, 'packed-refs'), 'utf8');
    return new RegExp(`^([0-9a-f]{40}) ${ref.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm').exec(
      packed,
    )?.[1];
  } catch {
    return undefined;
  }
}
