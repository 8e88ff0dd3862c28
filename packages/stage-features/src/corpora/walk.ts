import { readdir } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';

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
  /** Absolute path. */
  path: string;
  /** Path relative to the walked root, with `/` separators. */
  rel: string;
  /** File name without the extension. */
  stem: string;
  /** Names of the folders between root and the file. */
  dirs: string[];
}

/** Every audio file under `root`, sorted by relative path (hidden files and folders skipped). */
export async function walkAudio(root: string): Promise<AudioFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files: AudioFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile() || !AUDIO_EXTENSIONS.has(extname(entry.name).toLowerCase())) continue;
    const path = join(entry.parentPath, entry.name);
    const rel = relative(root, path).split(sep).join('/');
    if (rel.split('/').some((part) => part.startsWith('.'))) continue;
    const parts = rel.split('/');
    files.push({
      path,
      rel,
      stem: entry.name.slice(0, -extname(entry.name).length),
      dirs: parts.slice(0, -1),
    });
  }
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}
