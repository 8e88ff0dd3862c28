// Core's TypeScript loader (register.mjs + typescript-hooks.mjs), as serx's entries use it: real
// Node processes that register it and import TypeScript, with their own user cache.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const register = join(import.meta.dirname, 'register.mjs');
let dir: string;
let cacheHome: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'serx-ts-loader-'));
  cacheHome = join(dir, 'user-cache');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(files: { [path: string]: string }): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** Runs `entry` (relative to the test folder) in a process that registered the loader first. */
function run(entry: string): { status: number | null; stdout: string; stderr: string } {
  const main = join(dir, 'main.mjs');
  writeFileSync(
    main,
    `import { registerTypeScript } from ${JSON.stringify(register)};
registerTypeScript();
await import(${JSON.stringify(join(dir, entry))});
`,
  );
  const result = spawnSync(process.execPath, [main], {
    encoding: 'utf8',
    env: { ...process.env, SERX_CACHE_HOME: cacheHome, FORCE_COLOR: '0' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const kept = () =>
  readdirSync(join(cacheHome, 'transpiled'), { recursive: true, encoding: 'utf8' }).filter((f) =>
    f.endsWith('.js'),
  );

describe("core's TypeScript loader", () => {
  it('runs TypeScript: types removed, parameter properties and enums kept, ./x.js found as ./x.ts', () => {
    write({
      'app/package.json': '{ "type": "module" }',
      'app/main.ts': `import { Counter, Step } from './counter.js';
import type { Unused } from './types.ts';
const c: Counter = new Counter(Step.Two);
const u: Unused | undefined = undefined;
console.log(JSON.stringify({ total: c.add(3), step: Step[Step.Two], u: u ?? null }));
`,
      'app/counter.ts': `export enum Step { One = 1, Two = 2 }
export class Counter {
  constructor(private readonly step: Step) {}
  add(times: number): number { return this.step * times; }
}
`,
      'app/types.ts': 'export interface Unused { x: number }\n',
    });
    const result = run('app/main.ts');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({ total: 6, step: 'Two', u: null });
  });

  it('keeps each transform by content: a later process uses it, an edit makes a new one', () => {
    write({
      'kept/package.json': '{ "type": "module" }',
      'kept/value.ts': 'const v: number = 1;\nconsole.log(v);\n',
    });
    expect(run('kept/value.ts').stdout).toBe('1\n');
    const before = new Set(kept());
    // the kept transform, not the source, is what a later process runs: tamper with it to see
    const mine = [...before].find((f) =>
      readFileSync(join(cacheHome, 'transpiled', f), 'utf8').includes('console.log(v)'),
    );
    expect(mine).toBeDefined();
    writeFileSync(join(cacheHome, 'transpiled', mine!), 'console.log("from the kept transform");\n');
    expect(run('kept/value.ts').stdout).toBe('from the kept transform\n');
    write({ 'kept/value.ts': 'const v: number = 2;\nconsole.log(v);\n' });
    expect(run('kept/value.ts').stdout).toBe('2\n');
    expect(kept().filter((f) => !before.has(f))).toHaveLength(1);
  });

  it('stack traces name the TypeScript file and line', () => {
    write({
      'trace/package.json': '{ "type": "module" }',
      'trace/fail.ts': `interface Shape {
  side: number;
}
function area(shape: Shape): number {
  if (shape.side < 0) throw new Error('negative side');
  return shape.side ** 2;
}
console.log(area({ side: -1 }));
`,
    });
    const result = run('trace/fail.ts');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('negative side');
    expect(result.stderr).toMatch(new RegExp(`at area \\(${join(dir, 'trace', 'fail.ts')}:5:`));
  });

  it('a .ts file is an ES module in a CommonJS package too; asEsModule imports a .js file as one', () => {
    write({
      'cjs/package.json': '{ "type": "commonjs" }',
      'cjs/plugin.ts':
        "import { basename } from 'node:path';\nexport const name: string = basename('/a/b.ts');\n",
      'cjs/esm.js': 'export const answer = 42;\n',
      'cjs/main.ts': `import { name } from './plugin.ts';
const { asEsModule } = await import(${JSON.stringify(register)});
const { answer } = await import(asEsModule(${JSON.stringify(join(dir, 'cjs', 'esm.js'))}));
console.log(name, answer);
`,
    });
    const result = run('cjs/main.ts');
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('b.ts 42\n');
  });
});
