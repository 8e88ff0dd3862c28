import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core';
import type { Utterance } from './types.ts';

/** An `utterances` artifact: `utterances.jsonl` (one utterance per line) and `meta.json`. */
export const UTTERANCES_FILE = 'utterances.jsonl';
const META_FILE = 'meta.json';

export interface UtterancesMeta {
  /** Lineage name of the corpus. */
  corpus: string;
  /** Reader that produced the rows (drives the `paper` split rule). */
  reader: string;
  labelled: boolean;
  count: number;
  [key: string]: unknown;
}

export async function writeUtterances<U extends Utterance>(
  dir: string,
  meta: UtterancesMeta,
  utterances: readonly U[],
): Promise<void> {
  const lines = utterances.map((u) => JSON.stringify(u));
  await writeFile(join(dir, UTTERANCES_FILE), lines.length ? `${lines.join('\n')}\n` : '');
  await writeFile(join(dir, META_FILE), `${JSON.stringify(meta, null, 2)}\n`);
}

/** Reads an `utterances` artifact; INPUT_DATA naming file and line when malformed. */
export async function readUtterances<U extends Utterance = Utterance>(
  dir: string,
): Promise<{ meta: UtterancesMeta; utterances: U[] }> {
  const metaFile = join(dir, META_FILE);
  let meta: UtterancesMeta;
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as UtterancesMeta;
  } catch (cause) {
    throw new SerxError(ErrorCodes.INPUT_DATA, `${metaFile}: not an utterances artifact`, { cause });
  }
  const file = join(dir, UTTERANCES_FILE);
  const utterances: U[] = [];
  (await readFile(file, 'utf8')).split('\n').forEach((line, i) => {
    if (line === '') return;
    try {
      utterances.push(JSON.parse(line) as U);
    } catch (cause) {
      throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:${i + 1}: malformed JSON line`, { cause });
    }
  });
  return { meta, utterances };
}
