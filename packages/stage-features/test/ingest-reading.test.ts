import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCorpusReader, registerCorpusReader, unregisterCorpusReader } from '../src/corpora/registry.ts';
import { walkAudio } from '../src/corpora/walk.ts';
import { ingest } from '../src/stages/index.ts';
import { readCorpus } from '../src/stages/read-corpus.ts';
import { testContext } from './context.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'serx-symlinks-'));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** An Emo-DB-shaped corpus whose `wav/` folder is a symlink to a folder on "another disk". */
async function linkedEmodb(name: string): Promise<string> {
  const disk = join(tmp, `${name}-disk`);
  for (const stem of ['03a01Fa', '15b02Wb'])
    await writeFileDeep(join(disk, 'real-wav', `${stem}.wav`), sineWav(0.2, 300));
  const root = join(tmp, name);
  await mkdir(root, { recursive: true });
  await symlink(join(disk, 'real-wav'), join(root, 'wav'));
  return root;
}

describe('corpora reached through symbolic links', { timeout: 60_000 }, () => {
  it('a symlinked corpus folder and symlinked files are followed, named by the path through the link', async () => {
    const root = await linkedEmodb('emodb-linked');
    await writeFileDeep(join(tmp, 'elsewhere', '16a05Tc.wav'), sineWav(0.2, 400));
    await symlink(join(tmp, 'elsewhere', '16a05Tc.wav'), join(root, '16a05Tc.wav'));
    const files = await walkAudio(root);
    expect(files.map((f) => f.rel)).toEqual(['16a05Tc.wav', 'wav/03a01Fa.wav', 'wav/15b02Wb.wav']);
    expect(files[1]).toMatchObject({ path: join(root, 'wav/03a01Fa.wav'), stem: '03a01Fa', dirs: ['wav'] });

    const t = await testContext(ingest, { corpus: 'emodb', root });
    const result = await ingest.run(t.ctx);
    expect(result?.meta?.utterances).toMatchObject({ count: 3, found: 3 });
  });

  it('a link loop is walked once, not forever; a second link to a walked folder adds nothing', async () => {
    const root = await linkedEmodb('emodb-loop');
    await symlink(root, join(root, 'wav', 'back-to-root'));
    await symlink(join(root, 'wav'), join(root, 'wav-again'));
    expect((await walkAudio(root)).map((f) => f.rel)).toEqual(['wav/03a01Fa.wav', 'wav/15b02Wb.wav']);
  });

  it('a broken link is INPUT_DATA naming the link and its target', async () => {
    const root = await linkedEmodb('emodb-broken');
    await symlink(join(tmp, 'unmounted', 'x.wav'), join(root, 'wav', '08a01Na.wav'));
    await expect(walkAudio(root)).rejects.toMatchObject({
      code: 'INPUT_DATA',
      message: expect.stringContaining(`${join(root, 'wav', '08a01Na.wav')}: broken symbolic link`),
    });
  });
});

describe('an ingest that finds nothing', { timeout: 60_000 }, () => {
  it('fails with a coded error naming the root and the reader', async () => {
    const root = join(tmp, 'empty-corpus');
    await mkdir(join(root, 'wav'), { recursive: true });
    const t = await testContext(ingest, { corpus: 'emodb', root });
    const failure = {
      code: 'features:CORPUS_EMPTY',
      message: expect.stringMatching(/empty-corpus: reader 'emodb' found no utterances/),
    };
    await expect(ingest.run(t.ctx)).rejects.toMatchObject(failure);
    // The fingerprint reads the corpus before the stage runs: the same error, earlier.
    await expect(ingest.fingerprint!(t.ctx.params, new AbortController().signal)).rejects.toMatchObject(
      failure,
    );
  });

  it('with optional: true, an empty corpus is an empty set and a loud warning', async () => {
    const root = join(tmp, 'empty-optional');
    await mkdir(root, { recursive: true });
    const t = await testContext(ingest, { corpus: 'emodb', root, optional: true });
    const result = await ingest.run(t.ctx);
    expect(result?.meta?.utterances).toMatchObject({ count: 0, found: 0 });
    expect(t.logs.filter((l) => l.level === 'warn').map((l) => l.message)).toEqual([
      expect.stringMatching(/^corpus 'emodb': reader 'emodb' found NO utterances under .*empty-optional/),
    ]);
  });
});

describe('a reader that breaks its own contract', () => {
  it("a label outside the reader's declared vocabulary is READER_INVALID naming the file", async () => {
    const root = join(tmp, 'stray-label');
    await writeFileDeep(join(root, 'a.wav'), sineWav(0.1, 300));
    const reader = defineCorpusReader({
      name: 'stray-label-test',
      description: 'every file is joy',
      labelled: true,
      labels: ['anger'],
      parse: () => ({ speaker: 's', label: 'joy' }),
    });
    registerCorpusReader(reader);
    try {
      await expect(readCorpus({ corpus: 'x', reader: 'stray-label-test', root })).rejects.toMatchObject({
        code: 'features:READER_INVALID',
        message: `${join(root, 'a.wav')}: reader 'stray-label-test' gave label 'joy', which is not in its declared labels (anger); add it to the reader's labels`,
      });
      // Registering another reader under a taken name is refused; the same object again is a no-op.
      registerCorpusReader(reader);
      expect(() => registerCorpusReader({ ...reader })).toThrow(
        expect.objectContaining({ code: 'features:READER_DUPLICATE' }),
      );
    } finally {
      unregisterCorpusReader('stray-label-test');
    }
  });
});
