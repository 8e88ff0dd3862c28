import { execFileSync } from 'node:child_process';

/**
 * Whether the work tree holding `dir` has uncommitted changes to tracked files (`git status`),
 * and its branch; undefined values outside a repository or without git. Only tracked runs ask,
 * so the process spawn does not slow a plain `serx run`.
 */
export function gitState(dir: string): { dirty: boolean | undefined; branch: string | undefined } {
  const git = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: dir, encoding: 'utf8', timeout: 10_000, stdio: 'pipe' });
    } catch {
      return undefined;
    }
  };
  const status = git('status', '--porcelain', '--untracked-files=no');
  const branch = git('rev-parse', '--abbrev-ref', 'HEAD')?.trim();
  return {
    dirty: status === undefined ? undefined : status.trim() !== '',
    branch: branch && branch !== 'HEAD' ? branch : undefined,
  };
}
