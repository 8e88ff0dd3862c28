import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.ts';

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

describe('serx init', () => {
  it('scaffolds a study whose spec names the corpora path and the local wide-cnn plugin', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    const io = cli(dir);
    expect(await io.run('init', 'lab-study', '--corpora', '/data/corpora')).toBe(0);
    const study = join(dir, 'lab-study');
    const manifest = JSON.parse(readFileSync(join(study, 'package.json'), 'utf8'));
    expect(manifest).toMatchObject({ name: 'lab-study', private: true, type: 'module' });
    expect(Object.keys(manifest.dependencies)).toEqual([
      '@serx/core',
      '@serx/stage-features',
      '@serx/stage-autoencoder',
      '@serx/stage-ser',
      '@serx/stage-analysis',
    ]);
    expect(manifest.dependencies['@serx/core']).toBe('^0.1.0');
    const spec = readFileSync(join(study, 'experiments/study.yaml'), 'utf8');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's own ${env} placeholder
    expect(spec).toContain('data: ${env.SERX_DATA:-/data/corpora}');
    expect(spec).toContain('../plugins/my-encoders/index.ts');
    expect(spec).toContain('structure: wide-cnn');
    expect(readFileSync(join(study, 'plugins/my-encoders/wide-cnn.ts'), 'utf8')).toContain(
      "name: 'wide-cnn'",
    );
    expect(readFileSync(join(study, '.gitignore'), 'utf8')).toMatch(/^\.serx\/$/m);
    expect(readFileSync(join(study, '.npmrc'), 'utf8')).toMatch(/^ignore-scripts=true$/m);
    const readme = readFileSync(join(study, 'README.md'), 'utf8');
    expect(readme).toContain('npx serx setup');
    expect(readme).toContain('npx serx run experiments/study.yaml');
    expect(io.out()).toContain('next: cd lab-study && npm install && npx serx setup');
  });

  it('makes a relative corpora path relative to the spec, and keeps dependencies already installed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({
        name: 'mine',
        dependencies: { '@serx/core': 'file:../serx-core-0.1.0.tgz', lodash: '^4' },
      }),
    );
    expect(await cli(dir).run('init', '--corpora', 'data')).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(manifest.name).toBe('mine');
    expect(manifest.dependencies['@serx/core']).toBe('file:../serx-core-0.1.0.tgz');
    expect(manifest.dependencies.lodash).toBe('^4');
    expect(manifest.dependencies['@serx/stage-ser']).toBe('^0.1.0');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the spec's own ${env} placeholder
    expect(readFileSync(join(dir, 'experiments/study.yaml'), 'utf8')).toContain('${env.SERX_DATA:-../data}');
  });

  it('refuses to overwrite a study file (USAGE, exit 2) and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    writeFileSync(join(dir, 'README.md'), 'my notes\n');
    const io = cli(dir);
    expect(await io.run('init')).toBe(2);
    expect(io.err()).toMatch(/already has README\.md; serx init only creates new files/);
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toBe('my notes\n');
    expect(() => readFileSync(join(dir, 'package.json'))).toThrow();
  });

  it('refuses a package.json that is not valid JSON with a coded error naming it, and writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "mine", }\n');
    const io = cli(dir);
    expect(await io.run('init')).toBe(2);
    expect(io.err()).toContain(`${join(dir, 'package.json')} is not valid JSON (`);
    expect(io.err()).toContain('[USAGE]');
    expect(io.err()).not.toContain('SyntaxError');
    expect(readdirSync(dir)).toEqual(['package.json']);
  });

  it('refuses to switch "type": "commonjs" to "module" silently: says what to set, writes nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    const original = '{ "name": "mine", "type": "commonjs" }\n';
    writeFileSync(join(dir, 'package.json'), original);
    const io = cli(dir);
    expect(await io.run('init')).toBe(2);
    expect(io.err()).toContain('has "type": "commonjs"');
    expect(io.err()).toContain('set "type": "module" in');
    expect(readFileSync(join(dir, 'package.json'), 'utf8')).toBe(original);
    expect(readdirSync(dir)).toEqual(['package.json']);
  });

  it('says what it changes in an existing package.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'serx-init-'));
    writeFileSync(join(dir, 'package.json'), '{ "name": "mine", "private": true }\n');
    const io = cli(dir);
    expect(await io.run('init')).toBe(0);
    expect(io.out()).toContain(
      'updated package.json: added dependencies @serx/core, @serx/stage-features, @serx/stage-autoencoder, @serx/stage-ser, @serx/stage-analysis, set "type": "module", added scripts setup, study',
    );
  });
});
