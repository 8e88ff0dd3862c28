import { dirname, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '@serx/core';
import { describe, expect, it } from 'vitest';
import { readSetupState } from './state.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

async function doctor(): Promise<{ code: number; stdout: string }> {
  const stdout = new PassThrough();
  const chunks: Buffer[] = [];
  stdout.on('data', (c: Buffer) => chunks.push(c));
  const env = { ...process.env, MLFLOW_TRACKING_URI: '' };
  const code = await main(['doctor'], { stdout, stderr: new PassThrough(), cwd: repoRoot, env });
  return { code, stdout: Buffer.concat(chunks).toString('utf8') };
}

describe('serx doctor with the model plugins installed', () => {
  it('reports the TensorFlow backend once, contributed by the plugins (core knows no TensorFlow)', async () => {
    const { code, stdout } = await doctor();
    expect(code).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    const backend = lines.filter((l) => l.startsWith('backend: '));
    expect(backend).toHaveLength(1);
    const expected = readSetupState().backend;
    expect(backend[0]).toMatch(
      expected === 'tensorflow'
        ? /^backend: tensorflow, \d+ intra-op thread\(s\)$/
        : /^backend: wasm, single-threaded$/,
    );
    expect(lines.filter((l) => l.startsWith('tfjs: 4.22.0'))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('threads: '))).toHaveLength(1);
    expect(stdout).toMatch(/@serx\/stage-autoencoder@[\d.]+ \(1 stage\)/);
  });
});
