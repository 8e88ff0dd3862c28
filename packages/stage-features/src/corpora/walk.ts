import { AsyncLocalStorage } from 'node:async_hooks';
import { type BigIntStats, readdirSync, readlinkSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core/stage';

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
 *
 * Synchronous inside: a no-op rerun fingerprints every corpus this way, and one awaited readdir or
 * stat per folder costs a round trip through libuv's thread pool each (most of the walk's time).
 */
export async function walkAudio(root: string): Promise<AudioFile[]> {
  const files: AudioFile[] = [];
  const walked = new Set<string>();
  const visit = (dir: string, dirs: string[]): void => {
    const folder = statSync(dir, { bigint: true });
    const id = `${folder.dev}:${folder.ino}`; // the same folder reached by two paths has one id
    if (walked.has(id)) return;
    walked.add(id);
    listings.getStore()?.push({ path: dir, stat: folder }); // stat'ed before it is listed
    const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      const kind = entry.isSymbolicLink() ? linkTarget(path) : entry;
      if (kind.isDirectory()) visit(path, [...dirs, entry.name]);
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
  visit(root, []);
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** A folder a walk listed, with its status from just before it was listed. */
export interface ListedFolder {
  path: string;
  stat: BigIntStats;
}

const listings = new AsyncLocalStorage<ListedFolder[]>();

/**
 * Runs `read` and returns, besides its value, every folder the walks made inside it listed (the
 * walks of concurrent calls are kept apart). A walk's result depends only on these folders'
 * entries: while none of them changed, the same walk finds the same files.
 */
export async function withListedFolders<T>(
  read: () => Promise<T>,
): Promise<{ value: T; folders: ListedFolder[] }> {
  const folders: ListedFolder[] = [];
  const value = await listings.run(folders, read);
  return { value, folders };
}

function linkTarget(path: string) {
  try {
    return statSync(path);
  } catch (cause) {
    let target = '?';
    try {
      target = readlinkSync(path);
    } catch {}
    throw new SerxError(
      ErrorCodes.INPUT_DATA,
      `${path}: broken symbolic link (to ${target}); is the disk it points to mounted?`,
      {
        cause,
      },
    );
  }
}
