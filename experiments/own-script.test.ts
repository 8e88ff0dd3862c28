// The root README's walk-through "Your own script", run verbatim: its three blocks are the files in
// the repository, and the spec runs on real corpora (the smoke subsets) with a scikit-learn SVM as a
// `command` stage whose predictions reach Table 2 beside the CNN-LSTMs; through the process executor
// and through a real one-node Slurm cluster (scripts/slurm-local.sh up).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { referencePython } from '../bench/python-venv.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const serxBin = join(root, 'packages/core/bin/serx.mjs');
const work = mkdtempSync(join(tmpdir(), 'serx-own-script-'));

/** The README's "Your own script" blocks that name their file on their first line. */
async function readmeFiles(): Promise<Map<string, string>> {
  const readme = await readFile(join(root, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Your own script'), readme.indexOf('## Extending serx'));
  const files = new Map<string, string>();
  for (const [, body] of section.matchAll(/ {3}```(?:python|yaml|text)\n([\s\S]*?) {3}```/g)) {
    const code = (body as string).replace(/^ {3}/gm, '');
    const name = /^# (\S+) —/.exec(code)?.[1];
    if (name) files.set(name, code);
  }
  return files;
}

function slurmUp(): boolean {
  try {
    if (/idle|mixed|allocated/.test(execFileSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' })))
      return true;
  } catch {}
  if (process.env.SERX_REQUIRE_SLURM === '1')
    throw new Error('SERX_REQUIRE_SLURM=1 but no Slurm cluster answers: run bash scripts/slurm-local.sh up');
  return false;
}

interface StageRecord {
  id: string;
  status: string;
  key?: string;
  durationMs?: number;
  outputs?: { [name: string]: string };
  job?: { executor: string; id: string };
}

let venvBin: string;
beforeAll(() => {
  // ~/.cache/serx/sklearn-venv, created once (pip from PyPI), like the benches' Keras venv
  venvBin = dirname(
    referencePython('sklearn-venv', 'import numpy, sklearn', () => ['numpy', 'scikit-learn']),
  );
}, 900_000);

/** `serx run experiments/own-script.yaml …` with the venv's python first on PATH, as the README says. */
async function serxRun(cache: string, ...args: string[]): Promise<{ out: string; stages: StageRecord[] }> {
  const child = spawn(process.execPath, [serxBin, 'run', 'experiments/own-script.yaml', ...args], {
    cwd: root,
    env: {
      ...process.env,
      PATH: `${venvBin}:${process.env.PATH}`,
      SERX_CACHE: cache,
      MLFLOW_TRACKING_URI: '',
    },
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, out.slice(-4000)).toBe(0);
  const record = /record (\S+\.json)/.exec(out)?.[1] as string;
  return { out, stages: Object.values(JSON.parse(readFileSync(record, 'utf8')).stages) };
}

const entry = (cache: string, key: string) => join(cache, 'entries', key.slice(0, 2), key);
let svmOutputs: { [name: string]: string } | undefined;

describe('README walk-through "Your own script"', () => {
  it('is the files of the repository, verbatim', async () => {
    const files = await readmeFiles();
    expect([...files.keys()]).toEqual([
      'experiments/scripts/svm_functionals.py',
      'experiments/scripts/requirements.txt',
      'experiments/own-script.yaml',
    ]);
    for (const [name, code] of files) expect(code, name).toBe(await readFile(join(root, name), 'utf8'));
  });

  it("puts the script's SVM into Table 2 beside the CNN-LSTMs (process executor), then finds it cached", async () => {
    const cache = join(work, 'process');
    const { out, stages } = await serxRun(cache, '--executor', 'process');
    const byId = new Map(stages.map((s) => [s.id, s]));
    const svm = byId.get('svm') as StageRecord;
    expect(svm.status).toBe('succeeded');
    expect(out).toMatch(/svm: trained on \d+ utterances of \['emodb', 'emovo', 'ravdess', 'savee'\]/);
    svmOutputs = svm.outputs;

    const report = byId.get('report') as StageRecord;
    const table2 = await readFile(join(entry(cache, report.key as string), 'report', 'table2.md'), 'utf8');
    const rows = table2.split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Method'));
    const labels = rows.map((line) => line.split('|')[1]?.trim() ?? '');
    for (const method of [
      'CNN-LSTM (from scratch)',
      'CNN-LSTM + pre-trained encoder',
      'CNN-LSTM + pre-trained encoder, fine-tuned',
    ])
      expect(
        labels.some((label) => label.startsWith(method)),
        method,
      ).toBe(true);
    const svmRow = rows[labels.indexOf('svm')] as string;
    expect(svmRow).toMatch(/^\| svm \|( \d+\.\d \(n=1\) \|){5}$/); // a UA per corpus, TESS included
    console.log(
      `Table 2 (smoke subsets):\n${table2.split('\n').slice(0, 2).join('\n')}\n${rows.join('\n')}\n` +
        `svm (Python, scikit-learn) stage: ${((svm.durationMs as number) / 1000).toFixed(1)} s`,
    );

    const again = await serxRun(cache, '--executor', 'process');
    expect(again.stages.every((s) => s.status === 'cached')).toBe(true);
  });

  it('proves the held-out corpus never reaches the input the script trains on', () => {
    // without `fits: [data]` every input counts as trained on, and TESS reaches `features`
    let out = '';
    try {
      execFileSync(process.execPath, [serxBin, 'plan', 'experiments/own-script.yaml', '--set', 'svm.fits~'], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
      });
    } catch (error) {
      out = String((error as { stderr: string }).stderr);
    }
    expect(out).toMatch(/SPEC_HELD_OUT_LEAK/);
    expect(out).toMatch(/tess/);
  });

  it.skipIf(!slurmUp())('runs the script as a Slurm job with the same output', async () => {
    const cache = join(work, 'slurm');
    const { stages } = await serxRun(cache, '--executor', 'slurm', '--only', 'eval_svm');
    const svm = stages.find((s) => s.id === 'svm') as StageRecord;
    expect(svm.status).toBe('succeeded');
    expect(svm.job?.executor).toBe('slurm');
    expect(stages.find((s) => s.id === 'eval_svm')?.status).toBe('succeeded');
    if (svmOutputs) expect(svm.outputs).toEqual(svmOutputs);
  });
});
