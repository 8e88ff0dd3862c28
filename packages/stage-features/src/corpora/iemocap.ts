import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ErrorCodes, SerxError } from '@serx/core/stage';
import { layoutError } from './layout-error.ts';
import { defineCorpusReader } from './registry.ts';
import type { Utterance } from './types.ts';
import { walkAudio } from './walk.ts';

const EMOTIONS: Record<string, string> = {
  neu: 'neutral',
  hap: 'happiness',
  exc: 'excitement',
  sad: 'sadness',
  ang: 'anger',
  fru: 'frustration',
  sur: 'surprise',
  fea: 'fear',
  dis: 'disgust',
  oth: 'other',
  xxx: 'undecided',
};
/** `[6.2901 - 8.2357]	Ses01F_impro01_F000	neu	[2.5000, 2.5000, 2.5000]` */
const EVALUATION_LINE = /^\[(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)\]\s+(\S+)\s+(\S+)\s+\[/;
/** `Ses01F_impro01_F000 [006.2901-008.2357]: Excuse me.` */
const TRANSCRIPT_LINE = /^(Ses\S+)\s+\[[^\]]*\]:\s*(.*)$/;
const SESSION = /^Session(\d+)$/i;

interface Evaluation {
  label: string;
  code: string;
  duration: number;
}

/**
 * IEMOCAP: `SessionN/sentences/wav/<dialog>/<utt>.wav`, labels from
 * `SessionN/dialog/EmoEvaluation/<dialog>.txt`, text from `SessionN/dialog/transcriptions/` when
 * present. Speaker = session + the gender letter of the utterance id (`Ses01F_impro01_M003` →
 * `Ses01M`): the same actor speaks in every dialog of a session.
 */
export const iemocap = defineCorpusReader({
  name: 'iemocap',
  description:
    'IEMOCAP, SessionN/sentences/wav/<dialog>/<utt>.wav + SessionN/dialog/EmoEvaluation/<dialog>.txt',
  labelled: true,
  labels: Object.values(EMOTIONS),
  // The paper's "first five sessions ... sixth session" cannot be literal (IEMOCAP has five).
  paperSplit: {
    rule: {
      speakers: {
        train: ['Ses01F', 'Ses01M', 'Ses02F', 'Ses02M', 'Ses03F', 'Ses03M', 'Ses04F', 'Ses04M'],
        validation: ['Ses05F'],
        test: ['Ses05M'],
      },
      rest: 'drop',
    },
    description:
      'paper (IEMOCAP, five sessions): sessions 1-4 train; session 5 halved by speaker, Ses05F validation, Ses05M test',
  },
  async read(root, corpus) {
    const sessions = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && SESSION.test(e.name))
      .map((e) => e.name)
      .sort();
    if (sessions.length === 0)
      throw new SerxError(ErrorCodes.INPUT_DATA, `${root}: no SessionN folders (IEMOCAP layout)`);
    const utterances: Utterance[] = [];
    const sources: string[] = [];
    for (const session of sessions) {
      const sessionNo = Number(SESSION.exec(session)![1]);
      const dialogDir = join(root, session, 'dialog');
      const evaluations = await readLabelFiles(join(dialogDir, 'EmoEvaluation'), sources, parseEvaluation);
      const transcripts = await readLabelFiles(
        join(dialogDir, 'transcriptions'),
        sources,
        parseTranscript,
        true,
      );
      for (const file of await walkAudio(join(root, session, 'sentences', 'wav'))) {
        const gender = file.stem.split('_').at(-1)?.[0]?.toUpperCase();
        if (!file.stem.startsWith('Ses') || (gender !== 'F' && gender !== 'M')) {
          throw layoutError('IEMOCAP', file.path, 'Ses<NN><F|M>_<dialog>_<F|M><NNN>');
        }
        const evaluation = evaluations.get(file.stem);
        if (!evaluation) {
          throw new SerxError(
            ErrorCodes.INPUT_DATA,
            `${file.path}: no label for '${file.stem}' in ${join(dialogDir, 'EmoEvaluation', `${file.dirs[0] ?? '?'}.txt`)}`,
          );
        }
        const text = transcripts.get(file.stem);
        utterances.push({
          id: file.stem,
          corpus,
          path: file.path,
          speaker: `Ses${String(sessionNo).padStart(2, '0')}${gender}`,
          gender: gender === 'F' ? 'female' : 'male',
          label: evaluation.label,
          rawLabel: evaluation.code,
          duration: evaluation.duration,
          ...(text === undefined ? {} : { text }),
        });
      }
    }
    return { utterances, sources };
  },
});

async function readLabelFiles<T>(
  dir: string,
  sources: string[],
  parse: (text: string, file: string, into: Map<string, T>) => void,
  optional = false,
): Promise<Map<string, T>> {
  const into = new Map<string, T>();
  let names: string[];
  try {
    names = (await readdir(dir, { withFileTypes: true }))
      .filter((e) => e.isFile() && e.name.endsWith('.txt') && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort();
  } catch (cause) {
    if (optional) return into;
    throw new SerxError(ErrorCodes.INPUT_DATA, `${dir}: IEMOCAP label folder missing`, { cause });
  }
  for (const name of names) {
    const file = join(dir, name);
    sources.push(file);
    parse(await readFile(file, 'utf8'), file, into);
  }
  return into;
}

function parseEvaluation(text: string, file: string, into: Map<string, Evaluation>): void {
  text.split(/\r?\n/).forEach((line, i) => {
    if (!line.startsWith('[')) return;
    const m = EVALUATION_LINE.exec(line);
    if (!m) throw new SerxError(ErrorCodes.INPUT_DATA, `${file}:${i + 1}: malformed evaluation line`);
    const [, start, end, id, code] = m as unknown as [string, string, string, string, string];
    const label = EMOTIONS[code];
    if (!label)
      throw new SerxError(
        ErrorCodes.INPUT_DATA,
        `${file}:${i + 1}: unknown IEMOCAP emotion '${code}' for ${id}`,
      );
    into.set(id, { label, code, duration: Math.round((Number(end) - Number(start)) * 1e4) / 1e4 });
  });
}

function parseTranscript(text: string, _file: string, into: Map<string, string>): void {
  for (const line of text.split(/\r?\n/)) {
    const m = TRANSCRIPT_LINE.exec(line);
    if (m) into.set(m[1]!, m[2]!.trim());
  }
}
