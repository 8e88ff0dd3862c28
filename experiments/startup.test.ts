// TensorFlow stays out of what does not train: resolving the paper's spec loads every default
// plugin (the model plugins too) and plans against the cache, like a no-op `serx run`, and no
// @tensorflow module may be loaded by then (it costs seconds of start-up and a native addon).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const data = resolve(process.env.SERX_DATA ?? join(root, '..', 'shared', 'corpora'));

it('serx plan of the smoke spec loads the model plugins but no TensorFlow module', () => {
  const dir = mkdtempSync(join(tmpdir(), 'serx-startup-'));
  const probe = join(dir, 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => process.stderr.write('\\nloaded: ' + JSON.stringify(Object.keys(require.cache)) + '\\n'));\n`,
  );
  const result = spawnSync(
    process.execPath,
    ['--require', probe, join(root, 'packages/core/bin/serx.mjs'), 'plan', 'experiments/smoke.yaml'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, SERX_DATA: data, SERX_CACHE: join(dir, 'cache') } },
  );
  expect(result.status, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/ser_frozen\[seed=1\]/);
  const loaded = JSON.parse(/\nloaded: (.*)\n/.exec(result.stderr)?.[1] ?? '[]') as string[];
  // ajv (CommonJS, imported by core as ESM) shows that the probe sees packages however they load
  expect(loaded.some((m) => m.includes('/node_modules/ajv/'))).toBe(true);
  expect(loaded.filter((m) => m.includes('@tensorflow'))).toEqual([]);
});
