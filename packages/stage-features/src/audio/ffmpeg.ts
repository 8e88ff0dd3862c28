import { spawn } from 'node:child_process';
import { BadAudioError, missingTool } from './bad-audio.ts';
import type { DecodedPcm } from './decoded.ts';
import { PcmLayoutError } from './pcm.ts';
import { parseWav } from './wav.ts';

/**
 * Decodes anything ffmpeg reads (m4a/AAC, MP3, Vorbis, ...) to float WAV on a pipe, at the
 * source rate and channel count, so resampling and downmix stay ours. Files on disk are opened
 * by path: MP4 files usually keep their index at the end, which a pipe cannot seek to.
 */
export async function decodeWithFfmpeg(
  bytes: Uint8Array,
  path: string,
  command = 'ffmpeg',
  onDisk = false,
): Promise<DecodedPcm> {
  const input = onDisk ? ['-i', `file:${path}`] : ['-i', 'pipe:0'];
  const args = ['-v', 'error', ...input, '-f', 'wav', '-acodec', 'pcm_f32le', 'pipe:1'];
  const { stdout, stderr, code } = await run(command, args, onDisk ? new Uint8Array(0) : bytes, path);
  if (code !== 0 || stdout.length === 0) {
    const why = stderr.trim().split('\n').slice(-2).join(' / ') || `exit code ${code}`;
    throw new BadAudioError(path, 'unsupported', `ffmpeg could not decode it: ${why}`);
  }
  try {
    return parseWav(stdout);
  } catch (error) {
    if (error instanceof PcmLayoutError)
      throw new BadAudioError(path, error.reason, `ffmpeg output: ${error.message}`);
    throw error;
  }
}

function run(
  command: string,
  args: string[],
  input: Uint8Array,
  path: string,
): Promise<{ stdout: Uint8Array; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(e.code === 'ENOENT' ? missingTool(path, command, 'this audio format') : e);
    });
    child.on('close', (code) => {
      resolve({
        stdout: new Uint8Array(Buffer.concat(out)),
        stderr: Buffer.concat(err).toString('utf8'),
        code,
      });
    });
    // ffmpeg may exit before reading all input (unknown format); that EPIPE is not our error.
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}
