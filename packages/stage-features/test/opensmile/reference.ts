import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { referencePython } from '../../../../bench/python-venv.ts';
import { provisionScript } from '../../src/opensmile/installation.ts';

export interface ReferenceFile {
  path: string;
  columns: string[];
  frames: number;
  values: Float32Array;
}

const SCRIPT = fileURLToPath(new URL('./reference.py', import.meta.url));

/**
 * The Python of `~/.cache/serx/opensmile-venv`: opensmile-python installed from the very wheel serx
 * provisioned (same libSMILEapi, same configs), its dependencies from PyPI. Created on first use.
 */
export async function opensmilePython(): Promise<string> {
  const script = await provisionScript();
  const { version } = script.OPENSMILE;
  return referencePython(
    'opensmile-venv',
    `import opensmile; assert opensmile.__version__ == '${version}'`,
    () => {
      const wheels = script.opensmilePaths().wheels;
      const wheel = readdirSync(wheels).find(
        (f) => f.startsWith(`opensmile-${version}-`) && f.endsWith('.whl'),
      );
      if (!wheel)
        throw new Error(
          `no opensmile-${version} wheel in ${wheels}: run \`npx serx setup --with opensmile\``,
        );
      return [join(wheels, wheel)];
    },
  );
}

/** opensmile-python's `Smile.process_file` of each file, for one feature set and level. */
export function referenceFeatures(
  python: string,
  featureSet: string,
  level: 'lld' | 'functionals',
  files: readonly string[],
): ReferenceFile[] {
  const dir = mkdtempSync(join(tmpdir(), 'serx-opensmile-ref-'));
  try {
    const out = join(dir, 'out.json');
    const result = spawnSync(python, [SCRIPT, out, featureSet, level, ...files], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`reference.py failed:\n${result.stderr}`);
    const doc = JSON.parse(readFileSync(out, 'utf8')) as {
      files: { path: string; columns: string[]; frames: number; values: string }[];
    };
    return doc.files.map((f) => {
      const bytes = Buffer.from(f.values, 'base64');
      const values = new Float32Array(bytes.byteLength / 4);
      new Uint8Array(values.buffer).set(bytes);
      return { path: f.path, columns: f.columns, frames: f.frames, values };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
