// The run record's commit, read from .git without spawning git: a plain checkout, a linked worktree
// (`.git` is a file pointing at an absolute gitdir) and a packed ref.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { gitCommit } from './git-commit.ts';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  }).trim();

it('reads HEAD in a checkout, in a linked worktree on a branch or detached, and from packed refs', () => {
  const root = mkdtempSync(join(tmpdir(), 'serx-git-'));
  const repo = join(root, 'repo');
  mkdirSync(join(repo, 'experiments'), { recursive: true });
  writeFileSync(join(repo, 'experiments', 'spec.yaml'), 'name: x\n');
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'add', '.');
  git(repo, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'one');
  const head = git(repo, 'rev-parse', 'HEAD');
  expect(gitCommit(join(repo, 'experiments', 'spec.yaml'))).toBe(head);

  const branch = join(root, 'runs', 'paper');
  git(repo, 'worktree', 'add', '-q', '-b', 'paper-run', branch);
  expect(gitCommit(join(branch, 'experiments', 'spec.yaml'))).toBe(head);
  const detached = join(root, 'runs', 'detached');
  git(repo, 'worktree', 'add', '-q', '--detach', detached);
  expect(gitCommit(join(detached, 'experiments', 'spec.yaml'))).toBe(head);

  git(repo, 'pack-refs', '--all');
  expect(gitCommit(join(branch, 'experiments', 'spec.yaml'))).toBe(head);
  expect(gitCommit(join(root, 'elsewhere.yaml'))).toBeUndefined();
});
