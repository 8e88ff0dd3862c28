// A plugin's coded error keeps its code, message and exit status across every executor boundary:
// in process, a child process, a worker thread, a detached local job, a Slurm job (when a cluster
// answers: bash scripts/slurm-local.sh up).
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slurmUp } from '../slurm/slurm-cluster.ts';
import { tempDir } from './helpers.ts';

const bin = join(import.meta.dirname, '../../bin/serx.mjs');
const specs = join(import.meta.dirname, '../fixtures/run-plugin/specs');

function serx(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [bin, ...args], { cwd: specs, env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  child.stdout.resume();
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

/** The printed error line (its cause's stack follows, indented) and the run record's error. */
async function failure(executor: string, spec: string, dir: string) {
  const cache = join(dir, executor);
  const ran = await serx(['run', spec, '--executor', executor, '--cache', cache], {
    SERX_LOCAL_JOBS: join(dir, 'local-jobs'),
  });
  const line = ran.stderr.split('\n').find((l) => l.endsWith('[STAGE_FAILED]'));
  const [record] = await readdir(join(cache, 'runs'));
  const stage = JSON.parse(await readFile(join(cache, 'runs', record as string), 'utf8')).stages.bad;
  return { exit: ran.code, line, error: { code: stage.error.code, message: stage.error.message } };
}

const executors = ['in-process', 'process', 'workers', 'local-jobs', ...(slurmUp() ? ['slurm'] : [])];

describe('a stage’s coded error, whatever runs the stage', () => {
  it(`keeps its code, message and exit status under ${executors.join(', ')}`, async () => {
    const dir = await tempDir('serx-coded-');
    const expected = `${join(specs, 'coded-fail.yaml')}:6:3 stages.bad: stage 'bad' (coded:fail) failed: mapping.yaml:4:3 emodb: label 'W' of 03a01Wa.wav is not mapped [coded:LABEL_UNMAPPED] [STAGE_FAILED]`;
    for (const executor of executors) {
      const got = await failure(executor, 'coded-fail.yaml', dir);
      expect({ executor, ...got }).toEqual({
        executor,
        exit: 1,
        line: expected,
        error: {
          code: 'STAGE_FAILED',
          message:
            "stage 'bad' (coded:fail) failed: mapping.yaml:4:3 emodb: label 'W' of 03a01Wa.wav is not mapped [coded:LABEL_UNMAPPED]",
        },
      });
    }
  }, 300_000);

  it('names the stage that called process.exit() in a stage process or worker', async () => {
    const dir = await tempDir('serx-exit-');
    for (const [executor, what] of [
      ['process', "the stage's process exited with code 3"],
      ['workers', "the stage's worker thread exited with code 3"],
    ] as const) {
      const got = await failure(executor, 'coded-exit.yaml', dir);
      expect({ executor, exit: got.exit, line: got.line }).toEqual({
        executor,
        exit: 1,
        line: `${join(specs, 'coded-exit.yaml')}:5:3 stages.bad: stage 'bad' (coded:fail) failed: ${what} before run() settled (process.exit() called inside the stage?) [STAGE_CRASHED] [STAGE_FAILED]`,
      });
    }
  }, 120_000);
});
