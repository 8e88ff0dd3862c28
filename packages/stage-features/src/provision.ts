import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { DoctorCheck, ProvisionStep } from '@serx/core/stage';

/** native/ beside src/ (in the repository) and dist/ (packed): the C source and its build script. */
const native = (file: string) => fileURLToPath(new URL(`../native/${file}`, import.meta.url));

/**
 * The `serx setup` step that builds the MFCC C kernel (native/build.mjs: the system C compiler
 * against the running Node's headers; rebuilt only when the source, flags or Node ABI changed).
 * Without a compiler it says so and `features:mfcc` runs its JavaScript pipeline (same numbers).
 */
export const mfccKernelStep: ProvisionStep = {
  name: 'mfcc-kernel',
  async check() {
    const built = existsSync(native('build/mfcc-kernel.node'));
    return {
      ok: built,
      detail: built ? 'built' : 'not built (or no C compiler: the JavaScript pipeline is used)',
    };
  },
  run({ force }) {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [native('build.mjs'), ...(force ? ['--force'] : [])], {
        stdio: 'inherit',
      });
      child.on('error', reject);
      child.on('close', (code) => {
        // build.mjs exits 0 (and says so) when there is no compiler; a failure is a fallback too.
        if (code !== 0)
          console.error('[serx setup] mfcc kernel: build failed; features:mfcc uses its JavaScript pipeline');
        resolve();
      });
    });
  },
};

/** `serx doctor`'s ffmpeg line: the decoders of formats without a built-in one. */
export const ffmpegCheck: DoctorCheck = {
  name: 'ffmpeg',
  async run() {
    const result = spawnSync('ffmpeg', ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 5000 });
    if (result.error || result.status !== 0)
      return ['ffmpeg: not found (only needed for formats without a built-in decoder)'];
    return [`ffmpeg: ${result.stdout.split('\n')[0]}`];
  },
};
