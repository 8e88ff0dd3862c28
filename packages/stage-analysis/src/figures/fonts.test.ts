import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fontFiles } from './fonts.ts';

describe('figure fonts', () => {
  it('come from the bundled dejavu-fonts-ttf package (no system font needed)', () => {
    const files = fontFiles({});
    expect(files.map((f) => f.split('/').slice(-3).join('/'))).toEqual([
      'dejavu-fonts-ttf/ttf/DejaVuSans.ttf',
      'dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf',
    ]);
  });
  it('SERX_FONT_FILE wins; a missing one is an ENVIRONMENT error', () => {
    const regular = fontFiles({})[0]!;
    expect(fontFiles({ SERX_FONT_FILE: regular })).toEqual([regular]);
    expect(() => fontFiles({ SERX_FONT_FILE: join('/nonexistent', 'x.ttf') })).toThrow(
      expect.objectContaining({ code: 'ENVIRONMENT' }),
    );
  });
});
