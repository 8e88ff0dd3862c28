/**
 * Font files for resvg (it draws no text without one). `SERX_FONT_FILE` wins; else DejaVu Sans
 * from the usual system locations (Debian: `apt-get install fonts-dejavu-core`).
 */
import { existsSync } from 'node:fs';
import { ErrorCodes, SerxError } from '@serx/core';

export const FONT_FAMILY = 'DejaVu Sans';

const CANDIDATES = [
  '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf',
  '/usr/share/fonts/TTF/DejaVuSans.ttf',
  '/usr/share/fonts/dejavu/DejaVuSans.ttf',
  '/usr/local/share/fonts/DejaVuSans.ttf',
  '/Library/Fonts/DejaVuSans.ttf',
];

export function fontFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const explicit = env.SERX_FONT_FILE;
  if (explicit) {
    if (!existsSync(explicit))
      throw new SerxError(ErrorCodes.ENVIRONMENT, `SERX_FONT_FILE=${explicit} does not exist`);
    return [explicit];
  }
  const regular = CANDIDATES.find((f) => existsSync(f));
  if (!regular) {
    throw new SerxError(
      ErrorCodes.ENVIRONMENT,
      `no font for figure text: install DejaVu Sans (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set SERX_FONT_FILE to a .ttf file; looked in ${CANDIDATES.join(', ')}`,
    );
  }
  const bold = regular.replace(/DejaVuSans\.ttf$/, 'DejaVuSans-Bold.ttf');
  return existsSync(bold) ? [regular, bold] : [regular];
}
