// The root README's walk-through "A stage", run verbatim: a plugin in a temp dir adds a stage with
// one file and one registration, and a spec runs it on real Emo-DB files through the real runner.
import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSpec, openCache, runGraph } from '@serx/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));
const root = dirname(here);
const data = resolve(process.env.SERX_DATA ?? join(root, '..', 'shared', 'corpora'));

/** The README's "A stage" blocks: every fenced block whose first line names its file. */
async function readmeFiles(): Promise<Map<string, string>> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**A stage.**'), readme.indexOf('**An encoder structure.**'));
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/```(?:ts|yaml)\n([\s\S]*?)```/g)) {
    const code = (body as string).replace(/^ {3}/gm, '');
    const name = /^(?:\/\/|#) (\S+)\n/.exec(code)?.[1];
    if (name) files.set(name, code);
  }
  return files;
}

/** Mean power in dB of a 16-bit PCM mono WAV, read here without serx's decoder. */
async function wavDb(path: string): Promise<number> {
  const bytes = await readFile(path);
  let offset = 12;
  while (bytes.toString('latin1', offset, offset + 4) !== 'data')
    offset += 8 + bytes.readUInt32LE(offset + 4);
  const size = bytes.readUInt32LE(offset + 4);
  let power = 0;
  for (let i = 0; i < size / 2; i++) power += (bytes.readInt16LE(offset + 8 + 2 * i) / 32768) ** 2;
  return 10 * Math.log10(power / (size / 2));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'serx-stage-walkthrough-'));
  // Like a user's workspace that installed serx: @serx/* resolve from the plugin's folder.
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  // ...whose package.json (as `serx init` writes it) makes its .ts files ES modules: the stages
  // run in stage processes (the default executor), which load the plugin as `serx run` does
  await writeFile(join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const [name, code] of await readmeFiles()) {
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), code);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('README walk-through "A stage"', () => {
  it('has the stage, the plugin and the spec', async () => {
    expect([...(await readmeFiles()).keys()]).toEqual([
      'my-stages/energy.ts',
      'my-stages/index.ts',
      'walkthrough.yaml',
    ]);
  });

  it('runs the new stage on Emo-DB, then finds it cached', async () => {
    const graph = await loadSpec(join(dir, 'walkthrough.yaml'), { env: { SERX_DATA: data } });
    expect(graph.order).toEqual(['ingest_emodb', 'energy']);
    const cacheDir = join(dir, 'cache');
    const first = await runGraph(graph, { cache: cacheDir, threads: 1, jobs: 1 });
    expect(first.errors.map((e) => e.message)).toEqual([]);
    expect(first.counts).toMatchObject({ succeeded: 2, failed: 0 });
    const rows = await energyRows(cacheDir, first.stages.energy!.key!);
    expect(rows).toHaveLength(10); // Emo-DB has 10 speakers; perSpeaker: 1
    for (const row of rows) expect(row.db).toBeGreaterThan(-45);
    expect(rows.map((r) => r.db)).not.toEqual(rows.map(() => rows[0]!.db));

    const again = await runGraph(graph, { cache: cacheDir, threads: 1, jobs: 1 });
    expect(again.counts).toMatchObject({ cached: 2, succeeded: 0 });
  });

  it('computes the energy a plain WAV reader finds, on Emo-DB files as distributed (16-bit WAV)', async () => {
    // The same spec over a corpus folder holding the original WAVs of three Emo-DB utterances.
    const raw = join(dir, 'raw');
    await mkdir(join(raw, 'emodb', 'wav'), { recursive: true });
    for (const id of ['03a01Fa', '03a01Nc', '03a01Wa'])
      await copyFile(join(data, 'raw-samples', 'emodb', `${id}.wav`), join(raw, 'emodb', 'wav', `${id}.wav`));
    const graph = await loadSpec(join(dir, 'walkthrough.yaml'), { env: { SERX_DATA: raw } });
    const run = await runGraph(graph, { cache: join(dir, 'cache-raw'), threads: 1, jobs: 1 });
    expect(run.errors.map((e) => e.message)).toEqual([]);
    const rows = await energyRows(join(dir, 'cache-raw'), run.stages.energy!.key!);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row.db).toBeCloseTo(await wavDb(join(raw, 'emodb', 'wav', `${row.id}.wav`)), 6);
  });
});

async function energyRows(cacheDir: string, key: string): Promise<{ id: string; db: number }[]> {
  const hit = await (await openCache(cacheDir)).lookup(key);
  if (hit.status !== 'hit') throw new Error('energy is not cached');
  return (await readFile(join(hit.path, 'energy', 'energy.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { id: string; db: number });
}
