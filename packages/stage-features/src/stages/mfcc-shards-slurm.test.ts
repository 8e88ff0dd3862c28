import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openCache } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serx, slurmUp } from '../../../core/test/slurm/slurm-cluster.ts';

const CORPORA = process.env.SERX_CORPORA ?? '/work/shared/corpora';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-mfcc-shards-slurm-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!slurmUp())(
  'features:mfcc in shards through a real Slurm cluster',
  { timeout: 300_000 },
  () => {
    it('sends the shards as one job array, then merges in the node job: the unsharded key and bytes', async () => {
      const spec = (shards: string) => `name: mfcc-shards-slurm
plugins: ["@serx/stage-features"]
executor: { poll: 0.5, resources: { mem: 1G, time: "10:00" }, classes: { cpu-heavy: { cpus: 1 } } }
stages:
  ingest: { uses: features:ingest, params: { corpus: emodb, root: "${CORPORA}/emodb", perSpeaker: 1 } }
  mfcc: { uses: features:mfcc, inputs: { utterances: ingest.utterances }${shards} }
`;
      const entries: { key: string; path: string }[] = [];
      let stdout = '';
      for (const [name, extra, executor] of [
        ['plain', '', 'in-process'],
        ['sharded', ', shards: 3', 'slurm'],
      ] as const) {
        const file = join(dir, `${name}.yaml`);
        await writeFile(file, spec(extra));
        const cacheDir = join(dir, `cache-${name}`);
        const run = await serx(['run', file, '--cache', cacheDir, '--executor', executor], {}).done;
        expect(run.stderr).toBe('');
        expect(run.code).toBe(0);
        if (name === 'sharded') stdout = run.stdout;
        // the submitting run's record (the jobs keep their own, named .job<id>)
        const runs = (await readdir(join(cacheDir, 'runs'))).filter(
          (f) => f.endsWith('.json') && !f.includes('.job'),
        );
        const record = JSON.parse(await readFile(join(cacheDir, 'runs', runs[0] as string), 'utf8')) as {
          stages: { [id: string]: { key: string } };
        };
        const key = record.stages.mfcc?.key as string;
        const found = await (await openCache(cacheDir)).lookup(key);
        if (found.status !== 'hit') throw new Error(`${name}: mfcc not published`);
        entries.push({ key, path: found.path });
      }
      const [plain, sharded] = entries as [(typeof entries)[0], (typeof entries)[0]];
      expect(sharded.key).toBe(plain.key);
      for (const output of ['features', 'statistics'])
        for (const f of await readdir(join(plain.path, output)))
          execFileSync('cmp', [join(plain.path, output, f), join(sharded.path, output, f)]);
      // one array of three tasks, then the node's own job, which finds every shard and merges
      expect(stdout).toMatch(/3 shards of 10 rows: 3 to compute in slurm jobs (\d+)_0, \1_1, \1_2/);
      expect(stdout).toContain('3 shards of 10 rows: 3 finished already');
      expect(stdout).toMatch(/merged 3 shards in/);
    });
  },
);
