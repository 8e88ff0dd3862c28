import { describe, expect, it } from 'vitest';
import { figureBody, MAX_INLINE_SVG, scopeSvgIds } from './render-html.ts';

describe('inline SVG ids', () => {
  it('are scoped per figure so two figures cannot share a gradient or clip path', () => {
    const svg =
      '<svg><defs><linearGradient id="gradient_0"/><clipPath id="clip1"/></defs><rect fill="url(#gradient_0)" clip-path="url(#clip1)"/><use href="#clip1"/></svg>';
    expect(scopeSvgIds(svg, 'tsne-1')).toBe(
      '<svg><defs><linearGradient id="tsne-1-gradient_0"/><clipPath id="tsne-1-clip1"/></defs><rect fill="url(#tsne-1-gradient_0)" clip-path="url(#tsne-1-clip1)"/><use href="#tsne-1-clip1"/></svg>',
    );
  });
});

describe('figure embedding', () => {
  const figure = { name: 'figure2', title: 'Figure 2', caption: 'c', png: 'figures/figure2.png' };
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
  it('inlines an ordinary SVG', () => {
    expect(figureBody({ ...figure, svg: '<svg id="a"></svg>' }, png)).toBe('<svg id="figure2-a"></svg>');
  });
  it('embeds the PNG of a huge SVG (heatmaps) instead', () => {
    const svg = `<svg>${'<rect/>'.repeat(MAX_INLINE_SVG / 7 + 1)}</svg>`;
    expect(figureBody({ ...figure, svg }, png)).toBe(
      '<img alt="Figure 2" src="data:image/png;base64,iVBORw==">',
    );
  });
});
