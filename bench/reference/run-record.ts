import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Json } from '@serx/core';

/** The part of a serx run record (`<cache>/runs/<id>.json`) the reference bench reads. */
export interface RecordedStage {
  stage: string;
  status: string;
  key?: string;
  keyInput?: { params: { [name: string]: Json }; inputs: { [name: string]: Json } };
  outputs?: { [name: string]: string };
}

export interface RecordedRun {
  runId: string;
  status: string;
  spec: { name: string };
  stages: { [id: string]: RecordedStage };
}

/** The newest run record of spec `name` in `cacheDir`. */
export async function newestRun(cacheDir: string, name: string): Promise<RecordedRun> {
  const dir = join(cacheDir, 'runs');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json')).sort();
  for (const file of files.reverse()) {
    const run = JSON.parse(await readFile(join(dir, file), 'utf8')) as RecordedRun;
    if (run.spec.name === name) return run;
  }
  throw new Error(`no run record of spec '${name}' in ${dir}`);
}

/** Directory of output `output` of a recorded stage, inside the cache's content-addressed entries. */
export function outputDir(cacheDir: string, stage: RecordedStage, output: string): string {
  if (!stage.key) throw new Error(`stage has no cache key (status ${stage.status})`);
  return join(cacheDir, 'entries', stage.key.slice(0, 2), stage.key, output);
}

/** Hashes a stage input was wired to (one, or a list for a `many` input). */
export function inputHashes(stage: RecordedStage, input: string): string[] {
  const v = stage.keyInput?.inputs[input];
  const flat = (x: Json | undefined): string[] =>
    typeof x === 'string'
      ? [x]
      : Array.isArray(x)
        ? x.flatMap(flat)
        : x && typeof x === 'object'
          ? Object.values(x).flatMap(flat)
          : [];
  return flat(v);
}
