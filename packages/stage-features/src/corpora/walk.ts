import { readdir, readlink, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';

/** Extensions read as audio for every layout (the shared copies are FLAC, the originals WAV). */
export const AUDIO_EXTENSIONS = new Set([
  '.wav',
  '.flac',
  '.opus',
  '.ogg',
  '.m4a',
  '.aac',
  '.mp3',
  '.aiff',
  '.aif',
  '.webm',
]);

export interface AudioFile {
  /** Absolute path, through any symbolic links on the way (not resolved). */
  path: string;
  /** Path relative to the walked root, with `/` separators. */
  rel: string;
  /** File name without the extension. */
  stem: string;
  /** Names of the folders between root and the file. */
  dirs: string[];
}

/**
 * Every audio file under `root`, sorted by relative path (hidden files and folders skipped).
 * Symbolic links to files and folders are followed, since corpora often live on other disks;
 * a folder already walked (a link loop, or a second link to it) is walked once. A broken link is
 * INPUT_DATA: skipping it would silently drop part of a corpus.
 */
export async function walkAudio(root: string): Promise<AudioFile[]> {
  const files: AudioFile[] = [];
  const walked = new Set<string>();
  const visit = async (dir: string, dirs: string[]): Promise<void> => {
    const id = await folderId(dir);
    if (walked.has(id)) return;
    walked.add(id);
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const kind = entry.isSymbolicLink() ? await linkTarget(path) : entry;
      if (kind.isDirectory()) await visit(path, [...dirs, entry.name]);
      else if (kind.isFile() && AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
        files.push({
          path,
          rel: [...dirs, entry.name].join('/'),
          stem: entry.name.slice(0, -extname(entry.name).length),
          dirs,
        });
      }
    }
  };
  await visit(root, []);
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** Device + inode: the same folder reached by two paths has one id. */
async function folderId(dir: string): Promise<string> {
  const s = await stat(dir, { bigint: true });
  return `${s.dev}:${s.ino}`;
}

async function linkTarget(path: string) {
  try {
    return await stat(path);
  } catch (cause) {
    const target = await readlink(path).catch(() => '?');
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${path}: broken symbolic link (to ${target}); is the disk it points to mounted?`,
      {
        cause,
      },
    );
  }
}
