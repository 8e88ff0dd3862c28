import type { TopLevelSpec } from 'vega-lite';

export interface ReconstructionSample {
  id: string;
  /** frames × coefficients. */
  input: number[][];
  output: number[][];
  /** Mean squared reconstruction error of this utterance. */
  mse?: number;
}

/** Figure 2: (a) the input MFCC series and (b) the autoencoder's reconstruction, one row per sample. */
export function reconstructionSpec(samples: readonly ReconstructionSample[]): TopLevelSpec {
  const heat = (matrix: number[][], title: string) => {
    const values = matrix.flatMap((row, t) => row.map((v, k) => ({ frame: t, coefficient: k, value: v })));
    return {
      title,
      view: { stroke: null },
      width: Math.min(520, Math.max(220, matrix.length * 3)),
      height: 160,
      data: { values },
      mark: { type: 'rect' as const },
      encoding: {
        x: {
          field: 'frame',
          type: 'ordinal' as const,
          title: 'frame (10 ms)',
          axis: { values: matrix.map((_, t) => t).filter((t) => t % 20 === 0), labelAngle: 0 },
        },
        y: {
          field: 'coefficient',
          type: 'ordinal' as const,
          sort: 'descending' as const,
          title: 'MFCC',
          axis: { values: [0, 10, 20, 30, 39] },
        },
        color: {
          field: 'value',
          type: 'quantitative' as const,
          scale: { scheme: 'redblue', reverse: true, domainMid: 0 },
          title: 'value',
        },
      },
    };
  };
  return {
    title: { text: 'Input and output of the trained autoencoder' },
    vconcat: samples.map((s) => ({
      title: {
        text: s.mse === undefined ? s.id : `${s.id} — reconstruction MSE ${s.mse.toFixed(3)}`,
        fontSize: 12,
        fontWeight: 'normal' as const,
      },
      hconcat: [heat(s.input, '(a) actual MFCC series'), heat(s.output, '(b) autoencoder output')],
      resolve: { scale: { color: 'shared' } },
    })),
  } as TopLevelSpec;
}
