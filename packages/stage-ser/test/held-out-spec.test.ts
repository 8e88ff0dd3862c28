import { join } from 'node:path';
import { loadSpec } from '@serx/core';
import { describe, expect, it } from 'vitest';

const specs = join(import.meta.dirname, 'specs');

describe('held-out corpora and ser:train (lineage proof in @serx/core, with the real stages)', () => {
  it('refuses a spec that wires held-out TESS features into ser:train, naming the path', async () => {
    const error = await loadSpec(join(specs, 'held-out-leak.yaml'), { env: {} }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'SPEC_HELD_OUT_LEAK',
      loc: { file: join(specs, 'held-out-leak.yaml'), line: 34, col: 11 },
      message: expect.stringContaining('ingest_tess → split_tess → mfcc_tess → ser.data'),
    });
  });

  it('accepts TESS reaching only ser:predict', async () => {
    const graph = await loadSpec(join(specs, 'held-out-ok.yaml'), { env: {} });
    expect(graph.nodes.get('predict')?.corpora).toEqual(['emodb', 'tess']);
    expect(graph.nodes.get('ser')?.corpora).toEqual(['emodb']);
  });
});
