import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { expect, it } from 'vitest';
import { scanModule } from './scan-module.ts';

it('reads imports, re-exports and own exports of TypeScript; type-only and unused imports drop out', async () => {
  const source = `import type { A } from './types.ts';
import { b, type C, d as e } from './b.ts';
import f, * as g from 'g';
import './side-effect.ts';
import { unused } from './unused.ts';
import h, { i as j } from './h.ts';
export * from './star.ts';
export * as ns from './ns.ts';
export { x as y, default as z } from './re.ts';
export type { Q } from './q.ts';
export const k = (b + e + f + g.h + h + j) as number;
export default function gen<T>(a: T): T { return a; }
const w = 1;
export { w };
const lazy = await import('./lazy.ts');
const native = require('@tensorflow/tfjs-node');
const dynamic = await import(import.meta.url);
`;
  expect(await scanModule(source, 'x.ts')).toEqual({
    imports: [
      { specifier: './b.ts', names: ['b', 'd'] },
      { specifier: 'g', names: '*' },
      { specifier: './side-effect.ts', names: [] },
      { specifier: './h.ts', names: ['i', 'default'] },
      { specifier: './lazy.ts', names: '*' },
      { specifier: '@tensorflow/tfjs-node', names: '*' },
    ],
    reExports: [
      { specifier: './star.ts', names: '*' },
      { specifier: './ns.ts', names: { ns: '*' } },
      { specifier: './re.ts', names: { y: 'x', z: 'default' } },
    ],
    localExports: ['k', 'default', 'w'],
    normalHash: expect.stringMatching(/^[0-9a-f]{64}$/),
  });
});

const repo = join(import.meta.dirname, '../../../../..');
const hashOf = async (source: string, file: string) => (await scanModule(source, file)).normalHash;

it('a `biome format` in another style of every stage file keeps its hash; a real edit changes it', async () => {
  const stages = readdirSync(join(repo, 'packages'))
    .flatMap((pkg) => {
      const dir = join(repo, 'packages', pkg, 'src', 'stages');
      return existsSync(dir) ? readdirSync(dir).map((f) => join(dir, f)) : [];
    })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  expect(stages.length).toBeGreaterThan(10);
  // Outside the repository biome knows no biome.json: its defaults (tabs, double quotes, 80 columns).
  const dir = mkdtempSync(join(tmpdir(), 'serx-format-'));
  const copies = stages.map((file, i) => {
    const copy = join(dir, `${i}-${basename(file)}`);
    // and a comment more, which must not count either
    writeFileSync(copy, `// reformatted copy\n${readFileSync(file, 'utf8')}`);
    return copy;
  });
  const biome = spawnSync(
    join(repo, 'node_modules/.bin/biome'),
    ['format', '--write', '--line-width=60', ...copies],
    { cwd: dir, encoding: 'utf8' },
  );
  expect(biome.status, biome.stderr).toBe(0);
  for (const [i, file] of stages.entries()) {
    const source = readFileSync(file, 'utf8');
    const formatted = readFileSync(copies[i] as string, 'utf8');
    expect(formatted).not.toBe(source);
    expect(await hashOf(formatted, file), file).toBe(await hashOf(source, file));
  }
  // a stage definition (a `*-run.ts` file holds a stage's implementation, without `version:`)
  const first = stages.find((f) => readFileSync(f, 'utf8').includes("version: '")) as string;
  const source = readFileSync(first, 'utf8');
  const edited = source.replace(/version: '/, "version: 'edited-");
  expect(edited).not.toBe(source);
  expect(await hashOf(edited, first)).not.toBe(await hashOf(source, first));
}, 120_000);

it("reordering a barrel's exports and a module's imports keeps the hash; changing one does not", async () => {
  const file = join(repo, 'packages/core/src/index.ts');
  const source = readFileSync(file, 'utf8');
  const statements = source.split(';\n').filter((s) => s.trim() !== '');
  const reordered = [
    ...statements.filter((s) => !s.includes('export')),
    ...statements.filter((s) => s.includes('export')).reverse(),
  ].join(';\n');
  // (biome would sort them back; the key must not care either way)
  expect(reordered).not.toBe(source);
  expect(await hashOf(reordered, file)).toBe(await hashOf(source, file));
  const imports =
    "import { b } from './b.ts';\nimport { a, c } from './a.ts';\nexport const x = a + b + c;\n";
  const swapped =
    "import { c, a } from './a.ts';\nimport { b } from './b.ts';\nexport const x = a + b + c;\n";
  expect(await hashOf(swapped, 'x.ts')).toBe(await hashOf(imports, 'x.ts'));
  expect(await hashOf(source.replace("'./cli/main.ts'", "'./cli/main-other.ts'"), file)).not.toBe(
    await hashOf(source, file),
  );
  expect(await hashOf(imports.replace('a + b', 'a - b'), 'x.ts')).not.toBe(await hashOf(imports, 'x.ts'));
});
