import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { provisionSteps } from '../../src/cli/commands/setup.ts';
import { main } from '../../src/cli/main.ts';
import { definePlugin, type ProvisionStep } from '../../src/contract.ts';
import { SerxError } from '../../src/errors.ts';
import { loadPlugin } from '../../src/plugins/load-plugins.ts';

function cli(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  return {
    run: (...argv: string[]) => main(argv, { stdout, stderr, cwd, env: {} }),
    out: () => out,
    err: () => err,
  };
}

const step = (name: string): ProvisionStep => ({
  name,
  check: async () => ({ ok: true, detail: name }),
  run: async () => {},
});

/** A study plugin whose `fixture-kernel` step appends `run force=<force>` to `marker`. */
function studyPlugin(dir: string, file: string, marker: string): string {
  writeFileSync(
    join(dir, file),
    `import { appendFileSync, existsSync } from 'node:fs';
export default {
  name: '${file}', version: '1', stages: [],
  provision: [{
    name: 'fixture-kernel',
    async check() { return { ok: existsSync(${JSON.stringify(marker)}), detail: 'marker' }; },
    async run({ force }) { appendFileSync(${JSON.stringify(marker)}, 'run force=' + force + '\\n'); },
  }],
};
`,
  );
  return `./${file}`;
}

describe('serx setup', () => {
  it("collects the plugins' provisioning steps, each name once, in the order first listed", () => {
    const a = step('tensorflow');
    const steps = provisionSteps([
      definePlugin({ name: 'x', version: '1', stages: [], provision: [step('mfcc-kernel'), a] }),
      definePlugin({ name: 'y', version: '1', stages: [], provision: [step('tensorflow'), step('z')] }),
      definePlugin({ name: 'w', version: '1', stages: [] }),
    ]);
    expect(steps.map((s) => `${s.plugin}:${s.step.name}`)).toEqual(['x:mfcc-kernel', 'x:tensorflow', 'y:z']);
    expect(steps[1]?.step).toBe(a);
  });

  it('runs a step two plugins share once, --force reaches it, --check reports it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-setup-'));
    const marker = join(dir, 'marker.txt');
    const a = studyPlugin(dir, 'a.mjs', marker);
    const b = studyPlugin(dir, 'b.mjs', marker);
    const io = cli(dir);
    expect(await io.run('setup', '--plugin', a, '--plugin', b, '--force', 'fixture-kernel'), io.err()).toBe(
      0,
    );
    expect(readFileSync(marker, 'utf8')).toBe('run force=true\n');
    expect(io.out()).toMatch(/serx setup: done \(.*fixture-kernel/);
    expect(await io.run('setup', '--plugin', a, '--check')).toBeLessThanOrEqual(1);
    expect(io.out()).toContain('fixture-kernel: ok (marker)');
  }, 120_000); // loads the installed default plugins and runs their (idempotent) steps too

  it('runs an opt-in step only when --with names it; --check lists it without failing on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-setup-'));
    const marker = join(dir, 'licensed.txt');
    writeFileSync(
      join(dir, 'licensed.mjs'),
      `import { appendFileSync, existsSync } from 'node:fs';
export default {
  name: 'licensed', version: '1', stages: [],
  provision: [{
    name: 'licensed-lib', optIn: true,
    async check() { return { ok: existsSync(${JSON.stringify(marker)}), detail: 'marker' }; },
    async run() { appendFileSync(${JSON.stringify(marker)}, 'ran\\n'); },
  }],
};
`,
    );
    const io = cli(dir);
    expect(await io.run('setup', '--plugin', './licensed.mjs', '--check')).toBeLessThanOrEqual(1);
    expect(io.out()).toContain('licensed-lib: opt-in, not set up: serx setup --with licensed-lib (marker)');
    expect(await io.run('setup', '--plugin', './licensed.mjs'), io.err()).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(io.out()).toMatch(/opt-in steps not run: (--with \S+, )*--with licensed-lib\n/);
    expect(await io.run('setup', '--plugin', './licensed.mjs', '--with', 'licensed-lib'), io.err()).toBe(0);
    expect(readFileSync(marker, 'utf8')).toBe('ran\n');
    expect(await io.run('setup', '--plugin', './licensed.mjs', '--with', 'licenced-lib')).toBe(2);
    expect(io.err()).toMatch(/--with licenced-lib: no such provisioning step \(.*licensed-lib/);
  }, 180_000);

  it('names the steps there are when --force names none of them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-setup-'));
    const a = studyPlugin(dir, 'a.mjs', join(dir, 'marker.txt'));
    const io = cli(dir);
    expect(await io.run('setup', '--plugin', a, '--force', 'tensorflw')).toBe(2);
    expect(io.err()).toMatch(/--force tensorflw: no such provisioning step \(.*fixture-kernel/);
  }, 60_000);

  it('refuses a plugin that still has the old setup() hook, naming register()', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-setup-'));
    writeFileSync(
      join(dir, 'old.mjs'),
      "export default { name: 'old', version: '1', stages: [], setup() {} };\n",
    );
    const error = await loadPlugin('./old.mjs', dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SerxError);
    expect(error).toMatchObject({ code: 'PLUGIN_INVALID' });
    expect((error as Error).message).toMatch(/`setup\(\)` hook: it is called `register\(\)` now/);
  });
});
