/** Vega-Lite → Vega → SVG (headless, no browser) → PNG (resvg, 2× zoom for print). */
import type * as vl from 'vega-lite';
import { FONT_FAMILY, fontFiles } from './fonts.ts';

export interface RenderedFigure {
  /** File stem, e.g. `tsne`, `confusion`. */
  name: string;
  title: string;
  svg: string;
  png: Buffer;
  /** The Vega-Lite spec (with data inlined), kept so a figure can be re-rendered or restyled. */
  spec: vl.TopLevelSpec;
}

const CONFIG = {
  font: FONT_FAMILY,
  title: { fontSize: 15, subtitleFontSize: 12, anchor: 'start' as const },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 13 },
  background: 'white',
};

export async function renderFigure(
  name: string,
  title: string,
  spec: vl.TopLevelSpec,
): Promise<RenderedFigure> {
  // Vega, Vega-Lite and resvg load on the first figure: a plugin load (every `serx` start) stays light.
  const [{ Resvg }, vega, { compile }] = await Promise.all([
    import('@resvg/resvg-js'),
    import('vega'),
    import('vega-lite'),
  ]);
  const full = { ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as vl.TopLevelSpec;
  const view = new vega.View(vega.parse(compile(full).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, {
    font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
    fitTo: { mode: 'zoom', value: 2 },
    background: 'white',
  })
    .render()
    .asPng();
  return { name, title, svg, png, spec: full };
}
