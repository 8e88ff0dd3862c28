import { cp, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { scanModule } from '../../src/cache/code/scan-module.ts';
import { sha256 } from '../../src/cache/key.ts';
import { main } from '../../src/cli/main.ts';
import {
  canonicalJson,
  type EntryManifest,
  loadSpec,
  openCache,
  planGraph,
  runGraph,
  type Tracker,
} from '../../src/index.ts';
import { executions, tempDir } from '../run/helpers.ts';

/**
 * A user plugin loaded from a relative path in a spec (a copy of test/fixtures/code-plugin in a
 * temp dir), run for real; then its files are edited and the plan must follow the code.
 */
const root = join(import.meta.dirname, '../../../..');
let dir: string;
let markers: string;
let spec: string;

const SPEC = `name: code-key
plugins: [./plugin/index.ts]
vars: { markers: "\${env.SERX_TEST_MARKERS}" }
stages:
  make: { uses: code:make, params: { value: 3, markers: "\${vars.markers}" } }
  square: { uses: code:shape, params: { shape: square, markers: "\${vars.markers}" }, inputs: { data: make.data } }
  cube: { uses: code:shape, params: { shape: cube, markers: "\${vars.markers}" }, inputs: { data: make.data } }
`;

async function edit(file: string, change: (text: string) => string): Promise<() => Promise<void>> {
  const path = join(dir, 'plugin', file);
  const before = await readFile(path, 'utf8');
  const after = change(before);
  expect(after).not.toBe(before);
  await writeFile(path, after);
  const revert = () => writeFile(path, before);
  reverts.push(revert);
  return revert;
}

// A failed assertion must not leave an edit behind for the next test.
const reverts: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const revert of reverts.splice(0)) await revert();
});

async function plan() {
  const graph = await loadSpec(spec);
  const result = await planGraph(graph, await openCache(join(dir, 'cache')));
  return Object.fromEntries(result.nodes.map((n) => [n.id, [n.status, ...n.reasons]]));
}

const allHit = { make: ['hit'], square: ['hit'], cube: ['hit'] };

beforeAll(async () => {
  dir = await tempDir('serx-code-');
  markers = join(dir, 'markers');
  await mkdir(markers);
  process.env.SERX_TEST_MARKERS = markers;
  await cp(join(import.meta.dirname, '../fixtures/code-plugin'), join(dir, 'plugin'), { recursive: true });
  await symlink(join(root, 'node_modules'), join(dir, 'node_modules'));
  spec = join(dir, 'spec.yaml');
  await writeFile(spec, SPEC);
  const summary = await runGraph(await loadSpec(spec), { cache: join(dir, 'cache') });
  expect(summary.errors.map((e) => e.message)).toEqual([]);
  expect(summary.counts).toMatchObject({ succeeded: 3, failed: 0 });
}, 60_000);

// Each plan loads the spec and plugin afresh: seconds on a busy 2-core machine.
describe('the code in the cache key', { timeout: 60_000 }, () => {
  it('holds the stage module, what it imports (through barrels, name by name) and the registry entries it uses', async () => {
    const graph = await loadSpec(spec);
    const result = await planGraph(graph, await openCache(join(dir, 'cache')));
    const files = (id: string) =>
      Object.keys(result.nodes.find((n) => n.id === id)?.keyInput?.code?.files ?? {}).filter((f) =>
        f.startsWith('code-plugin/'),
      );
    expect(files('make')).toEqual([
      'code-plugin/lib/index.ts',
      'code-plugin/lib/numbers.ts',
      'code-plugin/stages/make.ts',
      'code-plugin/stages/write-value.ts',
    ]);
    expect(files('square')).toEqual([
      'code-plugin/shapes/registry.ts',
      'code-plugin/shapes/square.ts',
      'code-plugin/stages/shape.ts',
      'code-plugin/stages/write-value.ts',
    ]);
    expect(files('cube')).toContain('code-plugin/shapes/cube.js');
    const core = Object.keys(result.nodes[0]?.keyInput?.code?.files ?? {}).filter(
      (f) => !f.startsWith('code-plugin/'),
    );
    // `defineStage` comes through core's index from contract.ts; the rest of core is not the stage's code.
    expect(core).toContain('packages/core/src/contract.ts');
    expect(core).not.toContain('packages/core/src/run/run-graph.ts');
  });

  it("tells a stage's fingerprint() its code: the hash of the code in its key", async () => {
    const toldDir = join(dir, 'told');
    await mkdir(toldDir, { recursive: true });
    process.env.SERX_TEST_TOLD_CODE = toldDir;
    const result = await planGraph(await loadSpec(spec), await openCache(join(dir, 'cache'))).finally(() => {
      delete process.env.SERX_TEST_TOLD_CODE;
    });
    const told = async (id: string) => ({
      told: await readFile(join(toldDir, id), 'utf8'),
      key: sha256(canonicalJson(result.nodes.find((n) => n.id === id)?.keyInput?.code as never)),
    });
    const square = await told('square');
    expect(square.told).toMatch(/^[0-9a-f]{64}$/);
    expect(square.told).toBe(square.key);
    const cube = await told('cube');
    expect(cube.told).toBe(cube.key);
    expect(cube.told).not.toBe(square.told); // another registry entry, other code
  });

  it('misses exactly the stage that uses an edited registry entry, and hits again when the edit is reverted', async () => {
    const revert = await edit('shapes/square.ts', (t) => t.replace('value ** 2', 'value * value'));
    expect(await plan()).toEqual({
      make: ['hit'],
      square: ['miss', 'code changed: code-plugin/shapes/square.ts'],
      cube: ['hit'],
    });
    const why = await serx(['why', spec, 'square', '--cache', join(dir, 'cache')]);
    expect(why.stderr).toBe('');
    expect(why.stdout).toContain('  because   code changed: code-plugin/shapes/square.ts\n');
    expect(why.stdout).toMatch(/\n {4}code code-plugin\/shapes\/square\.ts [0-9a-f]{64}\n/);
    const plan_ = await serx(['plan', spec, '--cache', join(dir, 'cache')]);
    expect(plan_.stdout).toMatch(
      /miss +square +[0-9a-f]{12} +code:shape\n +↳ code changed: code-plugin\/shapes\/square\.ts\n/,
    );
    await revert();
    expect(await plan()).toEqual(allHit);
  });

  it('misses a stage whose helper module changed, and its downstream', async () => {
    const revert = await edit('lib/numbers.ts', (t) => t.replace('FACTOR = 2', 'FACTOR = 3'));
    const changed = await plan();
    expect(changed.make).toEqual(['miss', 'code changed: code-plugin/lib/numbers.ts']);
    expect(changed.square?.[0]).toBe('pending');
    expect(changed.cube?.[0]).toBe('pending');
    await revert();
    expect(await plan()).toEqual(allHit);
  });

  it('formatting, comments and import order change no key', async () => {
    await edit('stages/make.ts', (t) => {
      const lines = t.split('\n');
      const imports = lines.filter((l) => l.startsWith('import ')).reverse();
      const rest = lines.filter((l) => !l.startsWith('import '));
      return `/* a comment */\n${[...imports, ...rest].join('\n').replace(/\n\n/g, '\n\n\n').replaceAll("'", '"')}`;
    });
    expect(await plan()).toEqual(allHit);
  });

  it('names an import that resolves to nothing in `serx why`', async () => {
    const revert = await edit(
      'lib/numbers.ts',
      (t) => `${t}\nexport const later = () => import('./not-written-yet.ts');\n`,
    );
    const changed = await plan();
    expect(changed.make).toEqual([
      'miss',
      'code changed: code-plugin/lib/numbers.ts',
      'import not resolved: code-plugin/lib/numbers.ts: ./not-written-yet.ts',
    ]);
    const why = await serx(['why', spec, 'make', '--cache', join(dir, 'cache')]);
    expect(why.stdout).toContain(
      '    unresolved import code-plugin/lib/numbers.ts: ./not-written-yet.ts (nothing on disk: its code is not in the key)\n',
    );
    await revert();
    expect(await plan()).toEqual(allHit);
  });

  it('ignores tests, READMEs and modules re-exported by a barrel but not used', async () => {
    const reverts = [
      await edit('lib/numbers.test.ts', (t) => t.replace('toBe(4)', 'toBe(2 + 2)')),
      await edit('README.md', (t) => `${t}\nMore words.\n`),
      await edit('lib/unrelated.ts', (t) => t.replace('!', '!!')),
    ];
    expect(await plan()).toEqual(allHit);
    for (const revert of reverts) await revert();
  });

  it('--reuse-across-code-change reuses the entry, says so in the manifest, record and tracking, and later runs hit', async () => {
    const revert = await edit('shapes/square.ts', (t) => t.replace('value ** 2', 'value ** 2 + 0'));
    const tags: string[] = [];
    const tracker: Tracker = {
      runStarted() {},
      stageStarted() {},
      metric() {},
      tag: (id, name, value) => tags.push(`${id} ${name} ${value}`),
      artifact() {},
      stageFinished() {},
      runFinished() {},
      close: async () => {},
    };
    const before = await executions(markers);
    const cache = await openCache(join(dir, 'cache'));
    const summary = await runGraph(await loadSpec(spec), {
      cache,
      reuseAcrossCodeChange: ['square'],
      trackers: [tracker],
    });
    expect(await executions(markers)).toEqual(before);
    const square = summary.stages.square;
    expect(square?.status).toBe('cached');
    const note = {
      from: expect.stringMatching(/^[0-9a-f]{64}$/),
      changes: ['code changed: code-plugin/shapes/square.ts'],
    };
    expect(square?.reusedAcrossCodeChange).toEqual(note);
    const manifest = JSON.parse(
      await readFile(join(cache.entryPath(square?.key as string), 'manifest.json'), 'utf8'),
    ) as EntryManifest;
    expect(manifest.reusedAcrossCodeChange).toMatchObject({ ...note, runId: summary.runId });
    expect(tags).toEqual([
      `square serx.reusedAcrossCodeChange ${square?.reusedAcrossCodeChange?.from}: code changed: code-plugin/shapes/square.ts`,
    ]);
    expect(await plan()).toEqual(allHit);
    await revert();
    expect(await plan()).toEqual(allHit);
  });

  it('keeps file hashes in <cache>/code-index.json, by path, size and mtime', async () => {
    const index = JSON.parse(await readFile(join(dir, 'cache', 'code-index.json'), 'utf8'));
    const record = index.files[join(dir, 'plugin', 'lib', 'numbers.ts')];
    expect(record).toMatchObject({ size: expect.any(Number), mtimeMs: expect.any(Number) });
    // the hash of the normalised module (formatting and comments do not count), not of the bytes
    expect(record.sha256).toBe(await normalHash(join(dir, 'plugin', 'lib', 'numbers.ts')));
    expect(record.imports).toEqual([]);
    expect(record.localExports).toEqual(['FACTOR', 'double']);
    expect(await readdir(join(dir, 'cache'))).toContain('code-index.json');
  });
});

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _: BufferEncoding, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

async function serx(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const env = { PATH: process.env.PATH, SERX_TEST_MARKERS: markers };
  const code = await main(argv, { stdout, stderr, cwd: dir, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

async function normalHash(path: string): Promise<string> {
  return (await scanModule(await readFile(path, 'utf8'), path)).normalHash;
}
