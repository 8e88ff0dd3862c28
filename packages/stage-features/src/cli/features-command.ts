import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type CliCommand, type CliIO, ErrorCodes, isSerxError, SerxError } from '@serx/core/stage';
import {
  DEFAULT_MFCC_PRESET,
  type MfccPresetName,
  mfccPresets,
  resolveMfccOptions,
} from '../mfcc/presets.ts';

const usage = `serx features <audio-file> [--json] [--preset ${Object.keys(mfccPresets).join('|')}]`;

/**
 * `serx features <audio-file> [--json]`: decodes one file as the `features:mfcc` stage does
 * (content-sniffed, mono, resampled) and prints its MFCC matrix, frames × dims, before
 * normalisation and padding.
 */
export const featuresCommand: CliCommand = {
  name: 'features',
  summary: 'print the MFCC matrix of one audio file (frames × 40, before normalisation)',
  usage,
  async run(argv, io) {
    try {
      return await printFeatures(argv, io);
    } catch (error) {
      if (!isSerxError(error)) throw error;
      io.stderr.write(`${error.format()}\n`);
      return error.code === ErrorCodes.USAGE ? 2 : 1;
    }
  },
};

async function printFeatures(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseUsage(argv);
  if (values.help) {
    io.stdout.write(`usage: ${usage}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw usageError(`expected one audio file, got ${positionals.length}`);
  const preset = (values.preset ?? DEFAULT_MFCC_PRESET) as MfccPresetName;
  if (!(preset in mfccPresets)) throw usageError(`unknown --preset '${preset}'`);
  const file = resolve(io.cwd, positionals[0] as string);
  const options = resolveMfccOptions({ preset });
  // the decoders and the MFCC code load with the command, not with the plugin (start-up)
  const [{ decodeAudioFile }, { computeMfcc }] = await Promise.all([
    import('../audio/decode.ts'),
    import('../mfcc/compute.ts'),
  ]);
  const audio = await decodeAudioFile(file, { targetRate: options.sampleRate });
  const m = computeMfcc(audio.samples, options);
  const rows = Array.from({ length: m.frames }, (_, t) =>
    Array.from(m.data.subarray(t * m.dims, (t + 1) * m.dims)),
  );
  if (values.json) {
    const { samples: _samples, ...info } = audio;
    io.stdout.write(
      `${JSON.stringify({ file, preset, ...info, frames: m.frames, dims: m.dims, options, mfcc: rows })}\n`,
    );
    return 0;
  }
  io.stdout.write(
    `# ${file}: ${audio.durationSec.toFixed(3)} s, ${audio.channels} ch @ ${audio.sourceRate} Hz → ${audio.sampleRate} Hz; ` +
      `MFCC ${m.frames} frames × ${m.dims} (preset ${preset}, before normalisation)\n`,
  );
  for (const row of rows) io.stdout.write(`${row.map((v) => v.toFixed(4)).join(' ')}\n`);
  return 0;
}

function parseUsage(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        preset: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw usageError((error as Error).message);
  }
}

function usageError(message: string): SerxError {
  return new SerxError(ErrorCodes.USAGE, `${message}\nusage: ${usage}`);
}
