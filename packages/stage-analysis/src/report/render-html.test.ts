import { describe, expect, it } from 'vitest';
import { scopeSvgIds } from './render-html.ts';

describe('inline SVG ids', () => {
  it('are scoped per figure so two figures cannot share a gradient or clip path', () => {
    const svg =
      '<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs><rect fill="url(#gradient_0)" clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'tsne-1')).toBe(
      '<svg><defs><linearGradient id="tsne-1-gradient_0"/><clipPath id="tsne-1-clip1"/></defs><rect fill="url(#tsne-1-gradient_0)" clip-path="url(#tsne-1-clip1)"/><use href="#tsne-1-clip1"/></svg>',
    );
  });
});
