import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineCorpusReader, registerCorpusReader, unregisterCorpusReader } from '../src/corpora/registry.ts';
import { corpusFingerprint } from '../src/stages/corpus-fingerprint.ts';
import { type IngestParams, ingest } from '../src/stages/ingest.ts';
import { validParams } from './context.ts';
import { buildIemocapTree } from './fixtures/trees.ts';
import { sineWav, writeFileDeep } from './fixtures/wav.ts';

// The corpus part of `features:ingest`'s cache key. The goldens were computed by the fingerprint
// before it kept listings (main at 7df972d): a cache made then must still hit, so they must never
// change. Each fixture's files and folders get a fixed modification time (the key holds it).
const GOLDEN = {
  emodb: '3b08c3245b3b959101142ef4f4041641eec8d510b595a66ae6742f0fe7db0a3c',
  nested: '6745951860be6c4135c4bca713a365dd9950994c4c4fc3e77e788304669fc5c9',
  iemocap: '2cfd0783e91002a4db0006b7f993b6d9bd3207bdf2c5eca8f511eb0e70abb282',
};
const OLD = new Date('2020-01-02T03:04:05.678Z');

let tmp: string;
let previousCacheHome: string | undefined;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'serx-ingest-fingerprint-'));
  previousCacheHome = process.env.SERX_CACHE_HOME;
  process.env.SERX_CACHE_HOME = join(tmp, 'user-cache');
});
afterAll(async () => {
  if (previousCacheHome === undefined) delete process.env.SERX_CACHE_HOME;
  else process.env.SERX_CACHE_HOME = previousCacheHome;
  await rm(tmp, { recursive: true, force: true });
});

/** Every file and folder under `root` (root included) gets the fixed time. */
async function age(root: string): Promise<void> {
  for (const entry of await readdir(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) await age(path);
    else await utimes(path, OLD, OLD);
  }
  await utimes(root, OLD, OLD);
  // utimes sets the ctime to now, which a kept listing must be older than: these tests keep
  // listings changed up to now (settleMs: 0), so the walk must begin in a later millisecond
  await new Promise((resolve) => setTimeout(resolve, 3));
}

async function emodbTree(root: string): Promise<void> {
  for (const [i, stem] of ['03a01Fa', '03a02Wb', '15b02Wb', '16a05Tc'].entries())
    await writeFileDeep(join(root, 'wav', `${stem}.wav`), sineWav(0.05 + i * 0.01, 300));
  await writeFileDeep(join(root, 'wav', 'readme.txt'), 'not audio');
  await writeFileDeep(join(root, '.trash', '03a01Fa.wav'), sineWav(0.05, 300));
}

/** Speakers in nested folders, a folder without audio, files that are not audio. */
async function nestedTree(root: string): Promise<void> {
  await writeFileDeep(join(root, 'spk1', 'take1', 'a.flac'), Buffer.alloc(100, 1));
  await writeFileDeep(join(root, 'spk1', 'take2', 'b.wav'), sineWav(0.03, 200));
  await writeFileDeep(join(root, 'spk2', 'c.WAV'), sineWav(0.04, 200));
  await writeFileDeep(join(root, 'docs', 'notes.txt'), 'notes');
  await mkdir(join(root, 'empty'), { recursive: true });
}

const fixtures: {
  name: keyof typeof GOLDEN;
  build: (root: string) => Promise<void>;
  params: Omit<IngestParams, 'root'>;
}[] = [
  { name: 'emodb', build: emodbTree, params: { corpus: 'emodb' } },
  { name: 'nested', build: nestedTree, params: { corpus: 'nested', reader: 'unlabelled' } },
  { name: 'iemocap', build: buildIemocapTree, params: { corpus: 'iemocap' } },
];

async function fixture(name: string, build: (root: string) => Promise<void>): Promise<string> {
  const root = join(tmp, name);
  await build(root);
  await age(root);
  return root;
}

const fingerprint = (params: IngestParams, code?: string) =>
  ingest.fingerprint!(params, new AbortController().signal, code === undefined ? {} : { code });
/** As core calls it with the stage's code, keeping listings changed until just before the walk. */
const settled = (params: IngestParams, code: string) => corpusFingerprint(params, code, { settleMs: 0 });

describe('features:ingest fingerprint (the corpus in the cache key)', () => {
  it.each(fixtures)(
    '$name: the same value as before listings were kept, the first time and when kept',
    async ({ name, build, params }) => {
      const root = await fixture(`golden-${name}`, build);
      const p = validParams(ingest, { ...params, root });
      expect(await fingerprint(p)).toBe(GOLDEN[name]);
      expect(await fingerprint(p, 'code-1')).toBe(GOLDEN[name]);
      expect(await settled(p, 'code-1')).toBe(GOLDEN[name]); // kept (for a walk reader)
      expect(await settled(p, 'code-1')).toBe(GOLDEN[name]); // from what was kept
    },
  );
});

describe('the kept listing (a no-op rerun does not read the corpus again)', () => {
  // A parse reader that counts the names it parses: how we see whether the corpus was read again.
  let parsed = 0;
  const counting = defineCorpusReader({
    name: 'counting-test',
    description: 'speaker = first folder',
    labelled: false,
    parse(file) {
      parsed++;
      return { speaker: file.dirs[0] ?? 'root' };
    },
  });
  beforeAll(() => registerCorpusReader(counting));
  afterAll(() => unregisterCorpusReader('counting-test'));

  let root: string;
  let p: IngestParams;
  let golden: string;
  beforeAll(async () => {
    root = await fixture('kept', nestedTree);
    p = validParams(ingest, { corpus: 'kept', reader: 'counting-test', root });
    golden = await fingerprint(p); // nothing kept without the code
  });

  /** The fingerprint with code `code`, and how many names were parsed for it. */
  async function measured(code = 'code-1', settleMs = 0): Promise<{ value: string; parsed: number }> {
    parsed = 0;
    const value = await corpusFingerprint(p, code, { settleMs });
    return { value, parsed };
  }

  it('is reused while the folders are unchanged, and only by the same code', async () => {
    expect(await measured()).toEqual({ value: golden, parsed: 3 });
    expect(await measured()).toEqual({ value: golden, parsed: 0 });
    expect(await measured('code-2')).toEqual({ value: golden, parsed: 3 });
    expect(await measured('code-2')).toEqual({ value: golden, parsed: 0 });
    // two versions of the code in turn (an install and a checkout) each keep theirs
    expect(await measured('code-1')).toEqual({ value: golden, parsed: 0 });
    // the four last written are kept, no more
    for (const code of ['code-3', 'code-4', 'code-5']) expect((await measured(code)).parsed).toBe(3);
    const kept = await readdir(join(tmp, 'user-cache', 'corpus-listings'));
    expect(kept.filter((f) => f.endsWith('.json'))).toHaveLength(4 + 2); // + the two golden walks'
    expect((await measured('code-5')).parsed).toBe(0);
    // other params (another root spelling, other options) have their own listing
    const other = validParams(ingest, { corpus: 'kept-too', reader: 'counting-test', root });
    parsed = 0;
    expect(await settled(other, 'code-2')).toBe(golden);
    expect(parsed).toBe(3);
    // as core calls it: with the stage's code, the same value
    expect(await fingerprint(p, 'code-2')).toBe(golden);
  });

  it('an edit in place, with the folders unchanged, still changes the fingerprint', async () => {
    await measured(); // kept
    const file = join(root, 'spk1', 'take1', 'a.flac');
    await writeFile(file, Buffer.alloc(100, 2)); // same size, new content, new mtime; no folder changes
    const edited = await measured();
    expect(edited.parsed).toBe(0); // the listing was kept: the file's own stat tells
    expect(edited.value).not.toBe(golden);
    await utimes(file, new Date(), new Date(Date.now() + 5000)); // touched
    const touched = await measured();
    expect(touched.value).not.toBe(edited.value);
    await utimes(file, OLD, OLD);
    expect(await measured()).toEqual({ value: golden, parsed: 0 });
  });

  it('adding, removing and renaming a file change it; in a folder without audio too', async () => {
    await measured();
    const added = join(root, 'empty', 'new.wav'); // a folder that had no audio
    await writeFile(added, sineWav(0.02, 300));
    await utimes(added, OLD, OLD);
    const withAdded = await measured();
    expect(withAdded.value).not.toBe(golden);
    expect(withAdded.parsed).toBe(4);
    await rm(added);
    const removed = await measured();
    expect(removed).toEqual({ value: golden, parsed: 3 }); // the folder changed: read again
    const before = join(root, 'spk2', 'c.WAV');
    await rename(before, join(root, 'spk2', 'd.WAV'));
    const renamed = await measured();
    expect(renamed.value).not.toBe(golden);
    await rename(join(root, 'spk2', 'd.WAV'), before);
    expect((await measured()).value).toBe(golden);
    // a hidden or non-audio file is not part of it, though its folder changed
    await writeFile(join(root, 'spk2', '.DS_Store'), 'x');
    await writeFile(join(root, 'spk2', 'notes.txt'), 'x');
    expect(await measured()).toEqual({ value: golden, parsed: 3 });
  });

  it('a folder changed within seconds of the walk is not kept: it could change again unseen', async () => {
    await age(root);
    await measured();
    await writeFile(join(root, 'spk2', 'e.wav'), sineWav(0.02, 300)); // spk2 changed just now
    expect((await measured('code-1', 5000)).parsed).toBe(4);
    expect((await measured('code-1', 5000)).parsed).toBe(4); // not kept while spk2 is this fresh
    expect((await measured('code-1', 0)).parsed).toBe(4); // settled: kept
    expect((await measured('code-1', 5000)).parsed).toBe(0);
  });

  it('a kept file that is gone or no longer a file: the corpus is read again and the reader says what is wrong', async () => {
    await age(root);
    await measured();
    const file = join(root, 'spk2', 'e.wav');
    await rm(file);
    await mkdir(file); // a folder under the audio file's name
    await age(root);
    const again = await measured();
    expect(again.parsed).toBe(3);
    await rm(file, { recursive: true });
    await age(root);
    expect((await stat(root)).mtime).toEqual(OLD);
    expect(await measured()).toEqual({ value: golden, parsed: 3 });
  });
});

describe('a subset (limit, perClass, perSpeaker): the files it selects, and the names found', () => {
  let root: string;
  let p: IngestParams;
  beforeAll(async () => {
    root = await fixture('subset-emodb', emodbTree);
    // one per speaker: 03a01Fa, 15b02Wb and 16a05Tc; 03a02Wb (speaker 03 again) is left out
    p = validParams(ingest, { corpus: 'emodb', perSpeaker: 1, root });
  });

  /** The documented value, computed here from the files themselves. */
  async function expected(selected: string[], found: string[]): Promise<string> {
    const hash = createHash('sha256');
    for (const rel of selected.sort()) {
      const s = await stat(join(root, rel));
      hash.update(`${rel}\t${s.size}\t${Math.round(s.mtimeMs)}\n`);
    }
    const names = createHash('sha256').update(found.sort().join('\n')).digest('hex');
    return hash.update(`found\t${names}\n`).digest('hex');
  }
  const wav = (stem: string) => join('wav', `${stem}.wav`);
  const all = ['03a01Fa', '03a02Wb', '15b02Wb', '16a05Tc'].map(wav);
  const chosen = ['03a01Fa', '15b02Wb', '16a05Tc'].map(wav);

  it('hashes the selected files and the names found, the first time and when kept', async () => {
    const value = await expected(chosen, all);
    expect(value).toBe('a48b30f43a4ef44b4fd39d618b97abdc1b2002da1b874647780b14b2bfb7b7a8');
    expect(await fingerprint(p)).toBe(value);
    expect(await settled(p, 'code-1')).toBe(value); // kept
    expect(await settled(p, 'code-1')).toBe(value); // from what was kept
    // other selection params, other files: their own value and their own kept listing
    const two = validParams(ingest, { corpus: 'emodb', perSpeaker: 2, root });
    expect(await settled(two, 'code-1')).toBe(await expected(all, all));
    expect(await settled(p, 'code-1')).toBe(value);
  });

  it('an edit of audio the subset leaves out keeps it; of selected audio, or a new name, changes it', async () => {
    const value = await settled(p, 'code-1');
    const left = join(root, wav('03a02Wb'));
    await utimes(left, new Date(), new Date(Date.now() + 5000));
    expect(await settled(p, 'code-1')).toBe(value);
    await utimes(left, OLD, OLD);
    const picked = join(root, wav('15b02Wb'));
    await utimes(picked, new Date(), new Date(Date.now() + 5000));
    expect(await settled(p, 'code-1')).not.toBe(value);
    await utimes(picked, OLD, OLD);
    expect(await settled(p, 'code-1')).toBe(value);
    // a speaker 03 utterance that the subset does not select still changes what was found
    const added = join(root, wav('03b01Nc'));
    await writeFile(added, sineWav(0.02, 300));
    await utimes(added, OLD, OLD);
    expect(await settled(p, 'code-1')).toBe(await expected(chosen, [...all, wav('03b01Nc')]));
    await rm(added);
    await age(root);
    expect(await settled(p, 'code-1')).toBe(value);
  });
});
