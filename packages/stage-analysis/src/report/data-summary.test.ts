import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../test/context.ts';
import { writePredictionsFixture } from '../io/write-predictions-fixture.ts';
import { countStores } from './data-summary.ts';

const r = (id: string, corpus: string, split: string | null, cls: string | null) => ({
  id,
  corpus,
  split,
  class: cls,
  pred: 'x',
});

describe('data summary', () => {
  it('counts utterances per corpus / split / class over stores, each utterance once', async () => {
    const root = await tempDir();
    await writePredictionsFixture(join(root, 'a'), [
      r('1', 'emodb', 'train', 'neutral'),
      r('2', 'emodb', 'train', 'neutral'),
      r('3', 'emodb', 'test', 'positive'),
    ]);
    await writePredictionsFixture(join(root, 'b'), [
      r('3', 'emodb', 'test', 'positive'),
      r('1', 'tess', null, 'negative'),
      r('9', 'librispeech', null, null),
    ]);
    expect(await countStores([join(root, 'a'), join(root, 'b'), join(root, 'missing')])).toEqual([
      { corpus: 'emodb', split: 'test', class: 'positive', count: 1 },
      { corpus: 'emodb', split: 'train', class: 'neutral', count: 2 },
      { corpus: 'librispeech', split: '(none)', class: '(unlabelled)', count: 1 },
      { corpus: 'tess', split: '(none)', class: 'negative', count: 1 },
    ]);
  });
});
