import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core/stage';
import { parseCsvLine } from './csv.ts';
import { defineCorpusReader } from './registry.ts';
import type { Utterance } from './types.ts';

type Row = Record<string, unknown>;

/**
 * Generic manifest: `root` is a `.csv` (header row) or `.jsonl` file with fields `path`, `label`,
 * `speaker` and optionally `corpus`, `id`, `gender`, `text`, `duration`. Paths are relative to the
 * manifest's folder. With a `corpus` field, only the rows of this stage's corpus are read, so one
 * manifest can feed several ingest stages. An empty label means unlabelled.
 */
export const manifest = defineCorpusReader({
  name: 'manifest',
  description: 'CSV/JSONL manifest with path, label, speaker[, corpus, id, gender, text, duration]',
  labelled: true,
  root: 'file',
  async read(root, corpus) {
    const text = await readFile(root, 'utf8').catch((cause: unknown) => {
      throw new SerxError(ErrorCodes.INPUT_DATA, `${root}: manifest cannot be read`, { cause });
    });
    const rows = extname(root).toLowerCase() === '.csv' ? parseCsv(text, root) : parseJsonl(text, root);
    const base = dirname(root);
    const seenCorpora = new Set<string>();
    const utterances: Utterance[] = [];
    for (const { line, row } of rows) {
      const where = `${root}:${line}`;
      if (row.corpus !== undefined && row.corpus !== '') {
        seenCorpora.add(String(row.corpus));
        if (row.corpus !== corpus) continue;
      }
      for (const field of ['path', 'speaker'] as const) {
        if (typeof row[field] !== 'string' || row[field] === '')
          throw new SerxError(ErrorCodes.INPUT_DATA, `${where}: missing '${field}'`);
      }
      if (row.label !== undefined && row.label !== null && typeof row.label !== 'string') {
        throw new SerxError(ErrorCodes.INPUT_DATA, `${where}: 'label' must be a string`);
      }
      const gender =
        row.gender === undefined || row.gender === '' ? undefined : String(row.gender).toLowerCase();
      if (
        gender !== undefined &&
        gender !== 'female' &&
        gender !== 'male' &&
        gender !== 'f' &&
        gender !== 'm'
      ) {
        throw new SerxError(
          ErrorCodes.INPUT_DATA,
          `${where}: gender must be female/male (or f/m), got '${row.gender}'`,
        );
      }
      const path = String(row.path);
      const duration = row.duration === undefined || row.duration === '' ? undefined : Number(row.duration);
      if (duration !== undefined && !(duration >= 0))
        throw new SerxError(ErrorCodes.INPUT_DATA, `${where}: bad duration '${row.duration}'`);
      utterances.push({
        id: typeof row.id === 'string' && row.id !== '' ? row.id : path.replace(/\.[^./]+$/, ''),
        corpus,
        path: resolve(base, path),
        speaker: String(row.speaker),
        ...(gender === undefined
          ? {}
          : { gender: gender.startsWith('f') ? ('female' as const) : ('male' as const) }),
        label: typeof row.label === 'string' && row.label !== '' ? row.label.toLowerCase() : null,
        ...(typeof row.label === 'string' && row.label !== '' ? { rawLabel: row.label } : {}),
        ...(typeof row.text === 'string' && row.text !== '' ? { text: row.text } : {}),
        ...(duration === undefined ? {} : { duration }),
      });
    }
    if (utterances.length === 0 && seenCorpora.size > 0) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${root}: no rows for corpus '${corpus}' (manifest has ${[...seenCorpora].sort().join(', ')})`,
      );
    }
    return { utterances, sources: [root] };
  },
});

function parseCsv(text: string, file: string): { line: number; row: Row }[] {
  const lines = text.split(/\r?\n/);
  const header = parseCsvLine(lines[0] ?? '')?.map((h) => h.trim().toLowerCase());
  if (!header?.includes('path'))
    throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:1: CSV header must name a 'path' column`);
  const rows: { line: number; row: Row }[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i]!.trim() === '') continue;
    const fields = parseCsvLine(lines[i]!);
    if (!fields || fields.length !== header.length) {
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${file}:${i + 1}: expected ${header.length} CSV fields, got ${fields?.length ?? 'unbalanced quotes'}`,
      );
    }
    rows.push({ line: i + 1, row: Object.fromEntries(header.map((h, j) => [h, fields[j]!.trim()])) });
  }
  return rows;
}

function parseJsonl(text: string, file: string): { line: number; row: Row }[] {
  const rows: { line: number; row: Row }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (cause) {
      throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:${i + 1}: malformed JSON line`, { cause });
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row))
      throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:${i + 1}: expected a JSON object`);
    rows.push({ line: i + 1, row: row as Row });
  });
  return rows;
}
