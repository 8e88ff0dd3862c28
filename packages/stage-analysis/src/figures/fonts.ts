/**
 * Font files for resvg (it draws no text without one): `SERX_FONT_FILE` if set, else DejaVu Sans
 * from the `dejavu-fonts-ttf` npm dependency (so no system font package is needed), else from the
 * usual system locations (Debian/Ubuntu: `fonts-dejavu-core`).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';

export const FONT_FAMILY = 'DejaVu Sans';

const SYSTEM_DIRS = [
  '/usr/share/fonts/truetype/dejavu',
  '/usr/share/fonts/TTF',
  '/usr/share/fonts/dejavu',
  '/usr/local/share/fonts',
];

function bundledDir(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  } catch {
    return null;
  }
}

export function fontFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.SERX_FONT_FILE;
  if (explicit) {
    if (!existsSync(explicit))
      throw new SerxError(ErrorCodes.ENVIRONMENT, `SERX_FONT_FILE=${explicit} does not exist`);
    return [explicit];
  }
  const dirs = [bundledDir(), ...SYSTEM_DIRS].filter((d): d is string => d !== null);
  const dir = dirs.find((d) => existsSync(join(d, 'DejaVuSans.ttf')));
  if (!dir) {
    throw new SerxError(
      ErrorCodes.ENVIRONMENT,
      `no font for figure text: reinstall the dejavu-fonts-ttf dependency, install fonts-dejavu-core, or set SERX_FONT_FILE to a .ttf file; looked in ${dirs.join(', ')}`,
    );
  }
  return ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => join(dir, f)).filter((f) => existsSync(f));
}
