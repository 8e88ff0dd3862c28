// What a new user does, outside the repo: pack every serx package (scripts/pack.mjs: the built dist/
// and a published manifest), install the tarballs into a fresh folder (their dependencies from the
// registry), `npx serx init`, `npx serx setup`, and run the scaffolded spec on a few real files.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const data = resolve(process.env.SERX_DATA ?? join(root, '..', 'shared', 'corpora'));
/** What a published tarball may hold (no sources, tests, benches or fixtures). */
const SHIPPED =
  /^(package\.json|README\.md|LICENSE|dist\/.*\.(js|d\.ts|mjs|json)|dist\/validators\/[0-9a-f]{64}\.cjs|bin\/serx\.mjs|native\/(mfcc-kernel\.c|build\.mjs|opensmile-addon\.c|opensmile\.mjs)|provision\/[a-z-]+\.mjs)$/;

interface PackReport {
  name: string;
  filename: string;
  size: number;
  tarball: string;
  files: { path: string }[];
}

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end without blocking this thread (a blocked test thread starves vitest's RPC). */
async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  const started = Date.now();
  const child = spawn(cmd, args, {
    cwd,
    // The study's own cache (.serx/cache), not one a developer's shell points at.
    env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'SERX_CACHE')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const status = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) => done(code));
  });
  console.log(`${cmd} ${args.slice(0, 3).join(' ')}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (status !== 0) console.error(stdout, stderr);
  return { status, stdout, stderr };
}

it('packed serx installs into a fresh study that init, setup and run then work in', async () => {
  const work = mkdtempSync(join(tmpdir(), 'serx-install-'));
  const packed = await sh(
    process.execPath,
    [join(root, 'scripts', 'pack.mjs'), '--out', join(work, 'packs'), '--json'],
    root,
  );
  expect(packed.status, packed.stderr).toBe(0);
  const reports = JSON.parse(packed.stdout) as PackReport[];
  expect(reports.map((r) => r.name).sort()).toEqual(
    expect.arrayContaining([
      '@serx/core',
      '@serx/stage-analysis',
      '@serx/stage-autoencoder',
      '@serx/stage-features',
      '@serx/stage-ser',
      '@serx/tf-backend',
    ]),
  );
  for (const report of reports) {
    expect(
      report.files.map((f) => f.path).filter((path) => !SHIPPED.test(path)),
      report.name,
    ).toEqual([]);
    expect(
      report.files.some((f) => f.path === 'dist/index.d.ts'),
      report.name,
    ).toBe(true);
  }
  // core ships ajv's compiled code for the default plugins' params schemas (plugins/validators.ts)
  const core = reports.find((r) => r.name === '@serx/core')!;
  expect(core.files.filter((f) => f.path.startsWith('dist/validators/')).length).toBeGreaterThanOrEqual(10);
  const features = reports.find((r) => r.name === '@serx/stage-features')!;
  expect(features.files.map((f) => f.path)).toEqual(
    expect.arrayContaining(['native/mfcc-kernel.c', 'native/build.mjs']),
  );

  const study = join(work, 'my-study');
  mkdirSync(study);
  writeFileSync(join(study, 'package.json'), '{ "name": "my-study", "private": true }\n');
  // --ignore-scripts: tfjs-node's own install script downloads from a CDN; `serx setup` provisions it.
  const install = await sh(
    'npm',
    [
      'install',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      ...reports.map((r) => r.tarball),
    ],
    study,
  );
  expect(install.status, install.stderr).toBe(0);
  const manifest = JSON.parse(readFileSync(join(study, 'node_modules/@serx/stage-ser/package.json'), 'utf8'));
  expect(manifest.private).toBeUndefined();
  expect(manifest.peerDependencies).toEqual({ '@serx/core': '^0.1.0' });
  expect(manifest.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });

  const init = await sh('npx', ['--no', 'serx', 'init', '--corpora', data], study);
  expect(init.status, init.stderr).toBe(0);
  expect(init.stdout).toContain('created experiments/study.yaml');
  const studyManifest = JSON.parse(readFileSync(join(study, 'package.json'), 'utf8'));
  expect(studyManifest.dependencies['@serx/stage-ser']).toMatch(/^file:/); // the installed tarball is kept

  const setup = await sh('npx', ['--no', 'serx', 'setup'], study);
  expect(setup.status, setup.stderr).toBe(0);
  expect(setup.stdout).toMatch(/\[serx setup\] tensorflow: (native|wasm) backend ok|native backend ready/);
  const doctor = await sh('npx', ['--no', 'serx', 'doctor'], study);
  expect(doctor.stdout).toMatch(/^backend: (tensorflow|wasm)/m);
  // openSMILE is opt-in (its licence): the installed plugin provisions it when asked, printing the licence
  const smile = await sh('npx', ['--no', 'serx', 'setup', '--with', 'opensmile'], study, {
    SERX_OPENSMILE_HOME: join(study, '.opensmile'),
  });
  expect(smile.status, smile.stderr).toBe(0);
  expect(smile.stdout).toContain('opensmile: ready: eGeMAPSv02 functionals of a test tone: 1 x 88 values');
  expect(smile.stdout).toContain("openSMILE is under audEERING's research licence (non-commercial use only)");

  const run = await sh('npx', ['--no', 'serx', 'run', 'experiments/study.yaml'], study);
  expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
  const record = JSON.parse(readFileSync(run.stdout.match(/record (\S+\.json)/)![1]!, 'utf8')) as {
    stages: { [id: string]: { status: string; key: string } };
  };
  expect(record.stages.report!.status).toBe('succeeded');
  const key = record.stages.report!.key;
  const report = join(study, '.serx', 'cache', 'entries', key.slice(0, 2), key, 'report', 'report.html');
  expect(existsSync(report), report).toBe(true);
  expect(readFileSync(report, 'utf8')).toContain('My study');
  rmSync(work, { recursive: true, force: true }); // ~400 MB; kept when the test fails, to look into
});
