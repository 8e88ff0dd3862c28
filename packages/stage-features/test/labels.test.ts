import { describe, expect, it } from 'vitest';
import { DEFAULT_MAPPING, effectiveMapping, mapLabel } from '../src/labels/index.ts';

describe('emotion mapping', () => {
  it('the documented default covers every label the built-in readers emit', () => {
    expect(DEFAULT_MAPPING).toEqual({
      neutral: 'neutral',
      calm: 'neutral',
      happiness: 'positive',
      joy: 'positive',
      excitement: 'positive',
      surprise: 'positive',
      'pleasant-surprise': 'positive',
      anger: 'negative',
      sadness: 'negative',
      fear: 'negative',
      disgust: 'negative',
      boredom: 'negative',
      frustration: 'negative',
      other: 'drop',
      undecided: 'drop',
    });
  });

  it('per-corpus overrides lay over the default (case-insensitive keys), or replace it', () => {
    const m = effectiveMapping({ mapping: { Surprise: 'drop', angry: 'negative' } });
    expect(mapLabel('ravdess', 'surprise', m)).toBe('drop');
    expect(mapLabel('mine', 'Angry', m)).toBe('negative');
    expect(mapLabel('mine', null, m)).toBeNull();
    const only = effectiveMapping({ useDefault: false, mapping: { anger: 'hot' } });
    expect(mapLabel('x', 'anger', only)).toBe('hot');
    expect(() => mapLabel('x', 'neutral', only)).toThrow(
      expect.objectContaining({ code: 'features:LABEL_UNMAPPED' }),
    );
  });

  it('an unmapped label is LABEL_UNMAPPED naming corpus and label', () => {
    expect(() => mapLabel('myCorpus', 'contempt', effectiveMapping())).toThrow(
      expect.objectContaining({
        code: 'features:LABEL_UNMAPPED',
        message: expect.stringContaining("corpus 'myCorpus': label 'contempt' has no class"),
      }),
    );
  });
});
