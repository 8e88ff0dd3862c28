import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { corpusFile } from '../../test/golden/corpora.ts';
import { golden, readGoldenArray } from '../../test/golden/golden.ts';
import { featuresCommand } from './features-command.ts';

function io() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = (into: string[]) =>
    new Writable({
      write: (chunk, _enc, done) => {
        into.push(String(chunk));
        done();
      },
    });
  return {
    io: { stdout: sink(out), stderr: sink(err), cwd: process.cwd(), env: {} },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

const utt = golden.utterances[0]!;

describe('serx features', () => {
  it('prints frames × 40 MFCCs (python_speech_features defaults) as text', async () => {
    const t = io();
    expect(await featuresCommand.run([corpusFile(utt.path)], t.io)).toBe(0);
    const lines = t.out().trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /1\.898 s, 1 ch @ 16000 Hz → 16000 Hz; MFCC 189 frames × 40 \(preset python_speech_features/,
    );
    expect(lines).toHaveLength(1 + 189);
    const expected = readGoldenArray(utt.presets.python_speech_features);
    expect(lines[1]!.split(' ').map(Number)).toEqual(
      Array.from(expected.subarray(0, 40), (v) => Number(v.toFixed(4))),
    );
  });

  it('--json gives the matrix and the decode facts', async () => {
    const t = io();
    expect(await featuresCommand.run([corpusFile(utt.path), '--json', '--preset', 'kaldi'], t.io)).toBe(0);
    const json = JSON.parse(t.out());
    expect([
      json.preset,
      json.frames,
      json.dims,
      json.sourceRate,
      json.mfcc.length,
      json.mfcc[0].length,
    ]).toEqual(['kaldi', 188, 40, 16000, 188, 40]);
    expect(json.options.window).toBe('povey');
  });

  it('usage mistakes exit 2; unreadable audio exits 1 with the path', async () => {
    let t = io();
    expect(await featuresCommand.run([], t.io)).toBe(2);
    expect(t.err()).toMatch(
      /^expected one audio file, got 0\nusage: serx features <audio-file> \[--json\].* \[USAGE\]\n$/,
    );
    t = io();
    expect(await featuresCommand.run(['a.wav', '--preset', 'htk'], t.io)).toBe(2);
    expect(t.err()).toMatch(/unknown --preset 'htk'/);
    t = io();
    expect(await featuresCommand.run(['/nonexistent/x.flac'], t.io)).toBe(1);
    expect(t.err()).toBe('/nonexistent/x.flac: cannot read audio file (ENOENT) [INPUT_DATA]\n');
  });
});
