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
  });
});
