// `serx push`, `serx pull`, `serx run --pull/--push` and cluster jobs without the shared
// filesystem (`remote.jobs`), through the real CLI, against a real S3 server (scripts/s3-local.sh).
import { spawn } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openCache } from '../../src/cache/cache.ts';
import { executions, tempDir } from '../run/helpers.ts';
import { slurmUp } from '../slurm/slurm-cluster.ts';
import { freshPrefix, remoteEnv, removeTestObjects, S3, s3Up, storeAt } from './s3-server.ts';

const bin = join(import.meta.dirname, '../../bin/serx.mjs');
const fixtures = resolve(import.meta.dirname, '../fixtures/run-plugin');
const up = await s3Up();
if (up) afterAll(removeTestObjects, 60_000);

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function serx(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<Exit> {
  const child = spawn(process.execPath, [bin, ...args], { cwd, env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c;
  });
  child.stderr.on('data', (c: Buffer) => {
    stderr += c;
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** The diamond spec in `dir` (its plugin by absolute path), with `extra` YAML appended. */
async function writeSpec(dir: string, extra = ''): Promise<string> {
  const text = (await readFile(join(fixtures, 'specs/diamond.yaml'), 'utf8')).replace(
    '[../stages.ts]',
    `[${join(fixtures, 'stages.ts')}]`,
  );
  const file = join(dir, 'diamond.yaml');
  await writeFile(file, `${text}${extra}`);
  return file;
}

describe.skipIf(!up)('serx push / pull / run --pull on a real S3 server', { timeout: 120_000 }, () => {
  it('push a spec from one cache, pull it into an empty one on another path: a full cache hit', async () => {
    const dir = await tempDir('serx-remote-cli-');
    const spec = await writeSpec(dir);
    const prefix = freshPrefix('cli');
    const env = { ...remoteEnv(prefix), SERX_TEST_MARKERS: join(dir, 'm') };
    expect((await serx(['run', spec, '--cache', join(dir, 'a')], dir, env)).code).toBe(0);

    const push = await serx(['push', spec, '--cache', join(dir, 'a'), '--json'], dir, env);
    expect(push.code, push.stderr).toBe(0);
    expect(JSON.parse(push.stdout)).toMatchObject({ entries: 4, pushed: 4, present: 0, notCached: [] });
    const again = await serx(['push', spec, '--cache', join(dir, 'a')], dir, env);
    expect(again.stdout).toMatch(/^0 entries pushed to s3:\/\/.* 4 already there/m);

    const b = join(dir, 'other', 'b');
    const pull = await serx(['pull', spec, '--cache', b], dir, env);
    expect(pull.code, pull.stderr).toBe(0);
    expect(pull.stdout).toMatch(/^4 entries pulled from s3:\/\//m);
    const plan = await serx(['plan', spec, '--cache', b, '--json'], dir, env);
    expect(JSON.parse(plan.stdout).counts).toEqual({ hit: 4, miss: 0, pending: 0 });
    const run = await serx(['run', spec, '--cache', b, '--json'], dir, env);
    expect(run.code).toBe(0);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
  });

  it('run --pull fetches hits instead of recomputing; run --push uploads what it computed', async () => {
    const dir = await tempDir('serx-remote-cli-');
    const spec = await writeSpec(dir);
    const prefix = freshPrefix('run-pull');
    const env = { ...remoteEnv(prefix), SERX_TEST_MARKERS: join(dir, 'm') };
    const pushed = await serx(['run', spec, '--cache', join(dir, 'a'), '--push'], dir, env);
    expect(pushed.code, pushed.stderr).toBe(0);
    expect(pushed.stdout).toMatch(/pushed 4 entries .* to s3:\/\//);
    const pulled = await serx(['run', spec, '--cache', join(dir, 'b'), '--pull'], dir, env);
    expect(pulled.code, pulled.stderr).toBe(0);
    expect(pulled.stdout).toMatch(/pulled 4 entries \(.* MB\) from s3:\/\//);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    // by key, and --all
    const keys = (await openCache(join(dir, 'b')).then((c) => c.listEntries())) as string[];
    const one = await serx(['pull', (keys[0] as string).slice(0, 10), '--cache', join(dir, 'c')], dir, env);
    expect(one.stdout).toMatch(/^pulled +[0-9a-f]{12} +\d+ files/m);
    const all = await serx(['pull', '--all', '--cache', join(dir, 'c'), '--json'], dir, env);
    expect(JSON.parse(all.stdout)).toMatchObject({ pulled: 3, present: 1 });
    const absent = await serx(['pull', 'f'.repeat(64), '--cache', join(dir, 'c')], dir, env);
    expect(absent.code).toBe(1);
  });

  it('says how to configure a remote when there is none, and refuses a bad one (exit 2)', async () => {
    const dir = await tempDir('serx-remote-cli-');
    const spec = await writeSpec(dir);
    const env = { SERX_REMOTE: '', SERX_TEST_MARKERS: join(dir, 'm') };
    const none = await serx(['push', spec, '--cache', join(dir, 'a')], dir, env);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(
      /no remote cache is configured: add `remote: s3:\/\/<bucket>\/<prefix>`.*\[REMOTE\]/,
    );
    await writeFile(join(dir, 'serx.config.yaml'), 'remote: { url: s3://b/p, endpoint: ftp://x }\n');
    const bad = await serx(['pull', spec, '--cache', join(dir, 'a')], dir, env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/serx\.config\.yaml: remote: endpoint must match pattern/);
  });

  async function jobsWithoutSharedFilesystem(executor: 'local-jobs' | 'slurm') {
    const dir = await tempDir('serx-remote-jobs-');
    const prefix = freshPrefix('jobs');
    const spec = await writeSpec(
      dir,
      executor === 'slurm' ? 'executor: { poll: 0.5, resources: { mem: 300M, time: "5:00" } }\n' : '',
    );
    const jobCache = join(dir, 'node-local');
    await writeFile(
      join(dir, 'serx.config.yaml'),
      `remote:\n  url: s3://${S3.bucket}/${prefix}\n  endpoint: ${S3.endpoint}\n  jobs: true\n  jobCache: ${jobCache}\n`,
    );
    // the URL comes from the config file here, not from $SERX_REMOTE
    const env = { ...remoteEnv(prefix), SERX_REMOTE: '', SERX_TEST_MARKERS: join(dir, 'm') };
    const run = await serx(
      ['run', spec, '--cache', join(dir, 'submitter'), '--executor', 'local-jobs'],
      dir,
      {
        ...env,
        SERX_REMOTE: '',
      },
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/pulled 4 entries/);
    // the jobs computed in their cache and pushed; the submitter's cache got the entries by pulling
    const store = storeAt(prefix);
    const submitter = await openCache(join(dir, 'submitter'));
    const node = await openCache(jobCache);
    expect(await store.keys()).toEqual(await submitter.listEntries());
    expect(await node.listEntries()).toEqual(await submitter.listEntries());
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 1 });
    expect(await readdir(submitter.path('tmp'))).toEqual([]);

    // a job on a node whose cache is empty: it pulls the inputs of `total`, computes it, pushes it
    const totalKey = JSON.parse(
      (await serx(['plan', spec, '--cache', join(dir, 'submitter'), '--json'], dir, env)).stdout,
    ).nodes.find((n: { id: string }) => n.id === 'total').key as string;
    await store.client.delete(`${prefix}entries/${totalKey.slice(0, 2)}/${totalKey}.json`);
    const fresh = join(dir, 'another-node');
    await writeFile(
      join(dir, 'serx.config.yaml'),
      `remote:\n  url: s3://${S3.bucket}/${prefix}\n  endpoint: ${S3.endpoint}\n  jobs: true\n  jobCache: ${fresh}\n`,
    );
    const job = await serx(
      ['exec-node', spec, 'total', '--cache', join(dir, 'unused'), '--expect-key', totalKey],
      dir,
      {
        ...env,
        SERX_REMOTE: '',
      },
    );
    expect(job.code, job.stdout + job.stderr).toBe(0);
    expect(job.stdout).toMatch(/exec-node total: pushed [0-9a-f]{12} on s3:\/\//);
    const other = await openCache(fresh);
    expect((await other.listEntries()).length).toBe(4); // a, b and ab pulled, total computed
    expect(await store.keys()).toContain(totalKey);
    expect(await executions(join(dir, 'm'))).toEqual({ a: 1, b: 1, ab: 1, total: 2 });
  }

  it('cluster jobs without the shared filesystem (local-jobs): each job pulls its inputs into its own cache and pushes its output', () =>
    jobsWithoutSharedFilesystem('local-jobs'));

  it.skipIf(!slurmUp())(
    'cluster jobs without the shared filesystem (a real Slurm cluster): the same through sbatch',
    () => jobsWithoutSharedFilesystem('slurm'),
    180_000,
  );
});
